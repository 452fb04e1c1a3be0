import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { parseOr400 } from '../common/zod-body';
import { AuditService } from './audit.service';
import type { AuditView } from './audit-view';

const auditQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1, 'limit must be at least 1')
    .max(1000, 'limit must be at most 1000')
    .default(200),
  username: z.string().trim().min(1).max(64).optional(),
  action: z
    .string()
    .trim()
    .regex(
      /^[a-z0-9.-]{1,64}$/,
      'an action is lowercase letters, digits, dots and dashes, e.g. "session." or "report.view"',
    )
    .optional(),
  target: z.string().trim().min(1).max(200).optional(),
  from: z.coerce.number().int().min(0).optional(),
  to: z.coerce.number().int().min(0).optional(),
});

/** Admins read who viewed, exported or changed what (no @Roles: admin only). */
@ApiTags('ops')
@ApiBearerAuth()
@Controller('api/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiQuery({ name: 'limit', required: false, description: '1-1000, newest first (default 200)' })
  @ApiQuery({ name: 'username', required: false, description: 'exact user name' })
  @ApiQuery({ name: 'action', required: false, description: 'action or its prefix, e.g. "session." or "report.view"' })
  @ApiQuery({ name: 'target', required: false, description: 'exact target, e.g. "session:<id>" or "room:<id>"' })
  @ApiQuery({ name: 'from', required: false, description: 'epoch ms, inclusive' })
  @ApiQuery({ name: 'to', required: false, description: 'epoch ms, inclusive' })
  async list(@Query() query: unknown): Promise<AuditView[]> {
    const q = parseOr400(auditQuery, query, 'query');
    return (await this.audit.list(q)).map((r) => ({
      id: r.id,
      ts: r.ts,
      username: r.username,
      action: r.action,
      target: r.target,
      detail: r.detail === null ? null : (JSON.parse(r.detail) as unknown),
    }));
  }
}
