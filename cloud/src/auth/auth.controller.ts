import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Throttle, ThrottlerGuard } from '@nestjs/throttler';
import { z } from 'zod';
import { parseOr400 } from '../common/zod-body';
import { AuditService } from '../ops/audit.service';
import type { AuthUser } from './auth-user';
import { AuthService } from './auth.service';
import { CurrentUser, Public, Roles } from './decorators';

const loginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) });

@ApiTags('auth')
@Controller('api')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly audit: AuditService,
  ) {}

  @Public()
  @UseGuards(ThrottlerGuard)
  @Throttle({ default: { limit: 10, ttl: 60_000 } })
  @Post('auth/login')
  @HttpCode(200)
  async login(@Body() body: unknown): Promise<{ token: string; user: AuthUser }> {
    const { username, password } = parseOr400(loginBody, body);
    const result = await this.auth.login(username, password);
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
