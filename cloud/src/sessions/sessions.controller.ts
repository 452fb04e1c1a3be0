import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { assertRoomAccess } from '../auth/room-access';
import { parseOr400 } from '../common/zod-body';
import { AuditService } from '../ops/audit.service';
import type { SessionReport } from '../reports/report';
import { reportCsv } from '../reports/report-csv';
import { reportPdf } from '../reports/report-pdf';
import { ReportsService } from '../reports/reports.service';
import type { TimelinePoint } from '../reports/timeline';
import { RoomsService } from '../rooms/rooms.service';
import { MAX_SESSION_TITLE } from './session-title';
import { SessionsService, toSessionView, type SessionView } from './sessions.service';

const title = z
  .string()
  .trim()
  .min(1, 'Give the session a title.')
  .max(MAX_SESSION_TITLE, `A title has at most ${MAX_SESSION_TITLE} characters; shorten it.`);
const startBody = z.object({ title: title.optional() }).optional();
const renameBody = z.object({ title });
const timelineQuery = z.object({
  from: z.coerce.number().int().min(0).optional(),
  to: z.coerce.number().int().min(0).optional(),
  resolution: z.enum(['1s', '1m']).default('1s'),
});
const MAX_1S_SPAN_MS = 6 * 3600_000;

@ApiTags('sessions')
@ApiBearerAuth()
@Controller('api')
export class SessionsController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly reports: ReportsService,
    private readonly rooms: RoomsService,
    private readonly audit: AuditService,
  ) {}

  @Roles('speaker')
  @Get('sessions')
  async list(@CurrentUser() user: AuthUser, @Query('roomId') roomId?: string): Promise<SessionView[]> {
    if (roomId) assertRoomAccess(user, roomId);
    const scope = roomId ? [roomId] : user.role === 'admin' ? null : user.roomIds;
    return (await this.sessions.list(scope)).map(toSessionView);
  }

  @Roles('speaker')
  @Post('rooms/:id/sessions')
  async start(@CurrentUser() user: AuthUser, @Param('id') roomId: string, @Body() body: unknown): Promise<SessionView> {
    assertRoomAccess(user, roomId);
    await this.rooms.get(roomId);
    const input = parseOr400(startBody, body ?? undefined);
    const s = await this.sessions.start(roomId, input?.title, 'manual');
    await this.audit.record(user, 'session.start', `session:${s.id}`, { roomId });
    return toSessionView(s);
  }

  @Roles('speaker')
  @Post('sessions/:id/stop')
  async stop(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<SessionView> {
    const s = await this.sessions.get(id);
    assertRoomAccess(user, s.roomId);
    const ended = await this.sessions.stop(id);
    await this.audit.record(user, 'session.stop', `session:${id}`);
    return toSessionView(ended);
  }

  /** A speaker of the room renames a session (running or ended). */
  @Roles('speaker')
  @Patch('sessions/:id')
  async rename(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() body: unknown): Promise<SessionView> {
    const s = await this.sessions.get(id);
    assertRoomAccess(user, s.roomId);
    const input = parseOr400(renameBody, body);
    const renamed = await this.sessions.rename(id, input.title);
    await this.audit.record(user, 'session.rename', `session:${id}`, { from: s.title, to: input.title });
    return toSessionView(renamed);
  }

  /** Admin only: deletes an ended session and its recorded data. */
  @Delete('sessions/:id')
  @HttpCode(204)
  async remove(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<void> {
    const s = await this.sessions.remove(id);
    await this.audit.record(user, 'session.delete', `session:${id}`, { title: s.title, roomId: s.roomId });
  }

  @Roles('speaker')
  @Get('rooms/:id/timeline')
  async timeline(
    @CurrentUser() user: AuthUser,
    @Param('id') roomId: string,
    @Query() query: unknown,
  ): Promise<{ points: TimelinePoint[] }> {
    assertRoomAccess(user, roomId);
    const q = parseOr400(timelineQuery, query, 'query');
    const to = q.to ?? Date.now();
    const from = q.from ?? to - 3600_000;
    if (from > to) throw new BadRequestException('invalid query: from must not be after to');
    if (q.resolution === '1s' && to - from > MAX_1S_SPAN_MS) {
      throw new BadRequestException('invalid query: 1s resolution is limited to 6 hours; use resolution=1m');
    }
    await this.audit.record(user, 'timeline.view', `room:${roomId}`, { from, to, resolution: q.resolution });
    return { points: await this.reports.roomTimeline(roomId, from, to, q.resolution) };
  }

  private async reportFor(user: AuthUser, id: string, action: string): Promise<SessionReport> {
    const s = await this.sessions.get(id);
    assertRoomAccess(user, s.roomId);
    await this.audit.record(user, action, `session:${id}`);
    return this.reports.report(s);
  }

  @Roles('speaker')
  @Get('sessions/:id/report')
  report(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<SessionReport> {
    return this.reportFor(user, id, 'report.view');
  }

  @Roles('speaker')
  @Get('sessions/:id/report.csv')
  async csv(@CurrentUser() user: AuthUser, @Param('id') id: string, @Res() res: Response): Promise<void> {
    const r = await this.reportFor(user, id, 'report.export.csv');
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="lectern-session-${id}.csv"`);
    res.send(reportCsv(r));
  }

  @Roles('speaker')
  @Get('sessions/:id/report.pdf')
  async pdf(@CurrentUser() user: AuthUser, @Param('id') id: string, @Res() res: Response): Promise<void> {
    const r = await this.reportFor(user, id, 'report.export.pdf');
    const pdf = await reportPdf(r);
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `attachment; filename="lectern-session-${id}.pdf"`);
    res.send(pdf);
  }
}
