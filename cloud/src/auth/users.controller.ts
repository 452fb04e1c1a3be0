import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { parseOr400 } from '../common/zod-body';
import { ROLES } from '../db/entities';
import { AuditService } from '../ops/audit.service';
import { SLUG_RE } from '../rooms/slug';
import type { AuthUser } from './auth-user';
import { CurrentUser } from './decorators';
import { passwordProblem, UsersService } from './users.service';

const createUserBody = z.object({
  username: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, ".", "_" or "-"'),
  // One rule for every password a person sets (users.service.ts passwordProblem).
  password: z.string().superRefine((p, ctx) => {
    const problem = passwordProblem(p);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  role: z.enum(ROLES as [string, ...string[]]).transform((r) => r as AuthUser['role']),
  roomIds: z.array(z.string().regex(SLUG_RE)).max(1000).default([]),
});

const updateUserBody = z
  .object({
    username: createUserBody.shape.username.optional(),
    role: createUserBody.shape.role.optional(),
    roomIds: z.array(z.string().regex(SLUG_RE)).max(1000).optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'send a new username, role or roomIds');

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

  /** Renames a user, or changes their role or rooms (applies to their next request). */
  @Patch(':id')
  async update(@CurrentUser() admin: AuthUser, @Param('id') id: string, @Body() body: unknown): Promise<AuthUser> {
    const input = parseOr400(updateUserBody, body);
    const { before, after } = await this.users.update(id, input);
    const changed: Record<string, { from: unknown; to: unknown }> = {};
    if (before.username !== after.username) changed.username = { from: before.username, to: after.username };
    if (before.role !== after.role) changed.role = { from: before.role, to: after.role };
    if (JSON.stringify(before.roomIds) !== JSON.stringify(after.roomIds))
      changed.roomIds = { from: before.roomIds, to: after.roomIds };
    await this.audit.record(admin, 'user.update', `user:${after.username}`, changed);
    return after;
  }

  /** Deletes a user; their sessions end at once. */
  @Delete(':id')
  @HttpCode(200)
  async remove(@CurrentUser() admin: AuthUser, @Param('id') id: string): Promise<AuthUser> {
    const user = await this.users.remove(id, admin.id);
    await this.audit.record(admin, 'user.delete', `user:${user.username}`, { role: user.role });
    return user;
  }

  /** A one-time password (shown once) the user must replace at their next login; their sessions end. */
  @Post(':id/reset-password')
  @HttpCode(200)
  async resetPassword(
    @CurrentUser() admin: AuthUser,
    @Param('id') id: string,
  ): Promise<{ user: AuthUser; password: string }> {
    const result = await this.users.resetPassword(id);
    await this.audit.record(admin, 'user.password.reset', `user:${result.user.username}`);
    return result;
  }
}
