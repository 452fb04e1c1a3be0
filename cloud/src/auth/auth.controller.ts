import { Body, Controller, Get, HttpCode, Post, Req, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { parseOr400 } from '../common/zod-body';
import { AuditService } from '../ops/audit.service';
import type { AuthUser } from './auth-user';
import { AuthService } from './auth.service';
import { LoginLimiter } from './login-limiter';
import { CurrentUser, Public, Roles } from './decorators';

const loginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) });

@ApiTags('auth')
@Controller('api')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly audit: AuditService,
    private readonly limiter: LoginLimiter,
  ) {}

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  async login(@Req() req: Request, @Body() body: unknown): Promise<{ token: string; user: AuthUser }> {
    const key = req.ip ?? 'unknown';
    this.limiter.assertAllowed(key);
    const { username, password } = parseOr400(loginBody, body);
    let result: { token: string; user: AuthUser };
    try {
      result = await this.auth.login(username, password);
    } catch (err) {
      if (err instanceof UnauthorizedException) {
        this.limiter.failed(key);
        await this.audit.record(null, 'login.failed', `user:${username}`, { ip: key });
      }
      throw err;
    }
    await this.audit.record(result.user, 'login', `user:${result.user.username}`);
    return result;
  }

  @ApiBearerAuth()
  @Roles('speaker', 'installer')
  @Get('me')
  me(@CurrentUser() user: AuthUser): AuthUser {
    return user;
  }
}
