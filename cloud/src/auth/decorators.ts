import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Role } from '../db/entities';
import type { AuthUser } from './auth-user';

export const PUBLIC_KEY = 'lectern:public';
export const ROLES_KEY = 'lectern:roles';

/** No token needed (login, health, metrics). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_KEY, true);

/** Roles allowed on a route; admin is always allowed. Routes without @Roles are admin-only. */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => {
  const user = ctx.switchToHttp().getRequest<Request>().user;
  if (!user) throw new Error('CurrentUser used on a public route');
  return user;
});

export const STREAM_AUTH_KEY = 'lectern:stream-auth';

/**
 * The route may also be authenticated from the query string, because EventSource cannot set headers:
 * `?ticket=` (a 60 s live ticket from POST /api/rooms/:id/live/ticket, bound to the route parameter
 * `roomParam`) or, for older clients, `?token=`. Every other route takes the Authorization header only.
 */
export const StreamAuth = (roomParam: string): MethodDecorator => SetMetadata(STREAM_AUTH_KEY, roomParam);

export const PASSWORD_CHANGE_KEY = 'lectern:password-change';

/**
 * The route works for a user who must change their generated password first (GET /api/me, the change
 * itself); every other route answers 403 until they have.
 */
export const AllowedBeforePasswordChange = (): MethodDecorator => SetMetadata(PASSWORD_CHANGE_KEY, true);
