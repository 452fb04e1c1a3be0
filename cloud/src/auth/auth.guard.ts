import {
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Role } from '../db/entities';
import { AuthService } from './auth.service';
import type { AuthUser } from './auth-user';
import { PASSWORD_CHANGE_KEY, PUBLIC_KEY, ROLES_KEY, STREAM_AUTH_KEY } from './decorators';

/** Global guard: every route needs a valid token unless @Public, and a role from @Roles (admin-only otherwise). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = ctx.switchToHttp().getRequest<Request>();
    const user = await this.authenticate(
      req,
      this.reflector.get<string | undefined>(STREAM_AUTH_KEY, ctx.getHandler()),
    );
    req.user = user;
    if (user.mustChangePassword && !this.reflector.get<boolean>(PASSWORD_CHANGE_KEY, ctx.getHandler())) {
      throw new ForbiddenException(
        'Your password was generated for you: choose your own first (POST /api/auth/password, or log in to the dashboard).',
      );
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? [];
    if (user.role !== 'admin' && !roles.includes(user.role)) {
      throw new ForbiddenException(`role ${user.role} may not do this`);
    }
    return true;
  }

  private async authenticate(req: Request, streamRoomParam: string | undefined): Promise<AuthUser> {
    const header = bearer(req);
    if (header) return this.auth.resolve(header);
    if (streamRoomParam !== undefined) {
      const ticket = queryParam(req, 'ticket');
      if (ticket) return this.auth.resolveLiveTicket(ticket, String(req.params[streamRoomParam] ?? ''));
      const token = queryParam(req, 'token');
      if (token) return this.auth.resolve(token);
    } else if (queryParam(req, 'token') || queryParam(req, 'ticket')) {
      throw new UnauthorizedException('send the token as Authorization: Bearer <token>, not in the URL');
    }
    throw new UnauthorizedException('missing token: send Authorization: Bearer <token>');
  }
}

function bearer(req: Request): string | null {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : null;
}

/** Only routes marked @StreamAuth read these (EventSource cannot set headers). */
function queryParam(req: Request, name: string): string | null {
  const t = (req.query as Record<string, unknown>)[name];
  return typeof t === 'string' && t.length > 0 ? t : null;
}
