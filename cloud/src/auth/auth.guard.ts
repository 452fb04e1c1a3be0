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
import { PUBLIC_KEY, ROLES_KEY } from './decorators';

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
    const token = bearer(req) ?? queryToken(req);
    if (!token) throw new UnauthorizedException('missing token: send Authorization: Bearer <token>');
    const user = await this.auth.resolve(token);
    req.user = user;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? [];
    if (user.role !== 'admin' && !roles.includes(user.role)) {
      throw new ForbiddenException(`role ${user.role} may not do this`);
    }
    return true;
  }
}

function bearer(req: Request): string | null {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : null;
}

/** EventSource cannot set headers, so live channels take ?token=. */
function queryToken(req: Request): string | null {
  const t = (req.query as Record<string, unknown>).token;
  return typeof t === 'string' && t.length > 0 ? t : null;
}
