import type { Role } from '../db/entities';

/** The authenticated caller, as the contract's `user` object. */
export interface AuthUser {
  id: string;
  username: string;
  role: Role;
  roomIds: string[];
  /** The password was generated (first-run admin, admin reset): only GET /api/me and POST /api/auth/password work until it is changed. */
  mustChangePassword?: boolean;
}

declare module 'express' {
  interface Request {
    user?: AuthUser;
  }
}
