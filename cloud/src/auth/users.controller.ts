import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { parseOr400 } from '../common/zod-body';
import { isPlaceholderSecret } from '../config/secrets';
import { ROLES } from '../db/entities';
import { AuditService } from '../ops/audit.service';
import { SLUG_RE } from '../rooms/slug';
import type { AuthUser } from './auth-user';
import { CurrentUser } from './decorators';
import { UsersService } from './users.service';

const createUserBody = z.object({
  username: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, ".", "_" or "-"'),
  password: z
    .string()
    .min(8, 'must be at least 8 characters')
    .max(200)
    .refine((p) => !isPlaceholderSecret(p), 'is a placeholder or well-known password; choose a real one'),
  role: z.enum(ROLES as [string, ...string[]]).transform((r) => r as AuthUser['role']),
  roomIds: z.array(z.string().regex(SLUG_RE)).max(1000).default([]),
});

/** Admin only (no @Roles): user management. */
@ApiTags('users')
@ApiBearerAuth()
@Controller('api/users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  list(): Promise<AuthUser[]> {
    return this.users.list();
  }

  @Post()
  async create(@CurrentUser() admin: AuthUser, @Body() body: unknown): Promise<AuthUser> {
    const input = parseOr400(createUserBody, body);
    const user = await this.users.create(input);
    await this.audit.record(admin, 'user.create', `user:${user.username}`, { role: user.role, roomIds: user.roomIds });
    return user;
  }
}
