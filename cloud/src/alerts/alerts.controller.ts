import { Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { parseOr400 } from '../common/zod-body';
import { AuditService } from '../ops/audit.service';
import {
  AlertsService,
  type AlertsList,
  type AlertView,
  type DeviceHealthView,
  type DeviceHistory,
} from './alerts.service';

const alertId = z.coerce
  .number({ message: 'the alert id must be a number, as listed by GET /api/alerts' })
  .int('the alert id must be a whole number, as listed by GET /api/alerts')
  .min(1, 'the alert id must be a whole number, as listed by GET /api/alerts');
const epochMs = z.coerce
  .number({ message: 'must be a time in epoch milliseconds, e.g. Date.now() - 3600000' })
  .int('must be a time in epoch milliseconds, e.g. Date.now() - 3600000')
  .min(0, 'must be a time in epoch milliseconds, e.g. Date.now() - 3600000');
const historyQuery = z.object({ since: epochMs.optional(), until: epochMs.optional() });
const listQuery = z.object({
  limit: z.coerce
    .number({ message: 'limit must be a number of resolved alerts between 1 and 500' })
    .int('limit must be a whole number between 1 and 500')
    .min(1, 'limit must be between 1 and 500')
    .max(500, 'limit must be between 1 and 500')
    .optional(),
});

/** Alerts and device health for admins and installers (docs/alerts.md). */
@ApiTags('alerts')
@ApiBearerAuth()
@Roles('installer')
@Controller()
export class AlertsController {
  constructor(
    private readonly alerts: AlertsService,
    private readonly audit: AuditService,
  ) {}

  /** Open alerts (firing and acknowledged), the most recent resolved ones, the rules and the webhook's state. */
  @Get('api/alerts')
  list(@Query() query: unknown): Promise<AlertsList> {
    const q = parseOr400(listQuery, query, 'query');
    return this.alerts.list(q.limit ?? 50);
  }

  /** Counts for the navigation badge. */
  @Get('api/alerts/summary')
  summary(): Promise<{ firing: number; acknowledged: number }> {
    return this.alerts.summary();
  }

  @Post('api/alerts/:id/ack')
  async acknowledge(@CurrentUser() user: AuthUser, @Param('id') rawId: string): Promise<AlertView> {
    const id = parseOr400(alertId, rawId, 'alert id');
    const alert = await this.alerts.acknowledge(id, user);
    await this.audit.record(user, 'alert.ack', `alert:${id}`, { rule: alert.rule, deviceId: alert.deviceId });
    return alert;
  }

  /** Every device's latest health, config revision (applied or pending) and open alert count. */
  @Get('api/fleet/health')
  fleet(): Promise<DeviceHealthView[]> {
    return this.alerts.fleet();
  }

  /** `since` / `until` in epoch ms; the past 24 hours by default, at most LECTERN_HEALTH_HISTORY_DAYS back. */
  @Get('api/devices/:id/history')
  history(@Param('id') id: string, @Query() query: unknown): Promise<DeviceHistory> {
    const q = parseOr400(historyQuery, query, 'query');
    return this.alerts.history(id, q.since, q.until);
  }
}
