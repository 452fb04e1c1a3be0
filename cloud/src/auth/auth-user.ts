import type { Role } from '../db/entities';

/** The authenticated caller, as the contract's `user` object. */
export interface AuthUser {
  id: string;
  username: string;
  role: Role;
  roomIds: string[];
}

declare module 'express' {
  interface Request {
    user?: AuthUser;
  }
}
