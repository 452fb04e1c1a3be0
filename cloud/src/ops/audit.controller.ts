import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AuditService } from './audit.service';

export interface AuditView {
  id: number;
  ts: number;
  username: string;
  action: string;
  target: string;
  detail: unknown;
}

/** Admins read who viewed or exported what (no @Roles: admin only). */
@ApiTags('ops')
@ApiBearerAuth()
@Controller('api/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiQuery({ name: 'limit', required: false, description: '1-1000, newest first (default 200)' })
  async list(@Query('limit') limit?: string): Promise<AuditView[]> {
    const n = limit === undefined ? 200 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 1000)
      throw new BadRequestException('invalid query: limit must be an integer from 1 to 1000');
    return (await this.audit.list(n)).map((r) => ({
      id: r.id,
      ts: r.ts,
      username: r.username,
      action: r.action,
      target: r.target,
      detail: r.detail === null ? null : (JSON.parse(r.detail) as unknown),
    }));
  }
}
