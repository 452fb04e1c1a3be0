import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpException,
  HttpStatus,
  Post,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { parseOr400 } from '../common/zod-body';
import { AuditService } from '../ops/audit.service';
import type { AuthUser } from './auth-user';
import { AuthService } from './auth.service';
import { LoginLimiter, LoginRefused, type LoginSlot } from './login-limiter';
import { AllowedBeforePasswordChange, CurrentUser, Public, Roles } from './decorators';
import { UsersService } from './users.service';

const loginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) });
const passwordBody = z.object({ currentPassword: z.string().min(1).max(200), newPassword: z.string().max(1000) });

@ApiTags('auth')
@Controller('api')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly audit: AuditService,
    private readonly limiter: LoginLimiter,
    private readonly users: UsersService,
  ) {}

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  async login(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Body() body: unknown,
  ): Promise<{ token: string; user: AuthUser }> {
    const { username, password } = parseOr400(loginBody, body);
    // req.ip is the TCP peer unless LECTERN_TRUST_PROXY names proxies whose X-Forwarded-For is believed.
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    let slot: LoginSlot;
    try {
      // Synchronous reservation before the async password check (see LoginLimiter).
      slot = this.limiter.reserve(username, address);
    } catch (err) {
      if (!(err instanceof LoginRefused)) throw err;
      res.setHeader('Retry-After', String(err.retryAfterS));
      throw new HttpException(err.message, HttpStatus.TOO_MANY_REQUESTS);
    }
    let result: { token: string; user: AuthUser };
    try {
      result = await this.auth.login(username, password);
    } catch (err) {
      if (err instanceof UnauthorizedException) {
        slot.failed();
        await this.audit.record(null, 'login.failed', `user:${username}`, { ip: address });
      } else {
        slot.released();
      }
      throw err;
    }
    slot.succeeded();
    await this.audit.record(result.user, 'login', `user:${result.user.username}`);
    return result;
  }

  /**
   * Any user changes their own password; the current one is required (and throttled like a login). Other
   * sessions of the user end; the answer carries a fresh token for this one.
   */
  @ApiBearerAuth()
  @Roles('speaker', 'installer')
  @AllowedBeforePasswordChange()
  @Post('auth/password')
  @HttpCode(200)
  async changePassword(
    @CurrentUser() user: AuthUser,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Body() body: unknown,
  ): Promise<{ token: string; user: AuthUser }> {
    const { currentPassword, newPassword } = parseOr400(passwordBody, body);
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    let slot: LoginSlot;
    try {
      slot = this.limiter.reserve(user.username, address);
    } catch (err) {
      if (!(err instanceof LoginRefused)) throw err;
      res.setHeader('Retry-After', String(err.retryAfterS));
      throw new HttpException(err.message, HttpStatus.TOO_MANY_REQUESTS);
    }
    let changed;
    try {
      changed = await this.users.changePassword(user.id, currentPassword, newPassword);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('The current password is wrong')) slot.failed();
      else slot.released();
      await this.audit.record(user, 'user.password.failed', `user:${user.username}`, {
        ip: address,
        reason: err instanceof Error ? err.message : String(err),
      });
      throw err;
    }
    slot.succeeded();
    await this.audit.record(user, 'user.password', `user:${user.username}`, {
      forced: user.mustChangePassword === true,
    });
    return { token: await this.auth.issue(changed), user: { ...user, mustChangePassword: false } };
  }

  @ApiBearerAuth()
  @Roles('speaker', 'installer')
  @AllowedBeforePasswordChange()
  @Get('me')
  me(@CurrentUser() user: AuthUser): AuthUser {
    return user;
  }
}
