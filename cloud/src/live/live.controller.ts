import { Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { AuthUser } from '../auth/auth-user';
import { AuthService, LIVE_TICKET_TTL_S } from '../auth/auth.service';
import { CurrentUser, Roles, StreamAuth } from '../auth/decorators';
import { assertRoomAccess } from '../auth/room-access';
import { EventBus } from '../common/event-bus';
import { MetricsService } from '../ops/metrics.service';
import { AuditService } from '../ops/audit.service';
import { RoomsService } from '../rooms/rooms.service';
import { LiveService } from './live.service';
import type { LiveAggregate } from './live-aggregate';

export const PING_INTERVAL_MS = 15_000;

/** Server-Sent Events per room: the last known aggregate on connect, then every update. */
@ApiTags('live')
@ApiBearerAuth()
@Controller('api/rooms')
export class LiveController {
  constructor(
    private readonly live: LiveService,
    private readonly rooms: RoomsService,
    private readonly bus: EventBus,
    private readonly metrics: MetricsService,
    private readonly audit: AuditService,
    private readonly auth: AuthService,
  ) {}

  /**
   * A 60 s ticket for `GET :id/live?ticket=…`: EventSource cannot send an Authorization header, and the
   * ticket (unlike the session token) opens only this room's stream and expires before a leaked URL
   * (proxy log, browser history) is worth anything. The stream re-checks the user's access when opened.
   */
  @Roles('speaker')
  @Post(':id/live/ticket')
  @HttpCode(200)
  async ticket(
    @CurrentUser() user: AuthUser,
    @Param('id') roomId: string,
  ): Promise<{ ticket: string; expiresInS: number; url: string }> {
    assertRoomAccess(user, roomId);
    await this.rooms.get(roomId);
    const ticket = await this.auth.issueLiveTicket(user, roomId);
    return {
      ticket,
      expiresInS: LIVE_TICKET_TTL_S,
      url: `/api/rooms/${encodeURIComponent(roomId)}/live?ticket=${encodeURIComponent(ticket)}`,
    };
  }

  @Roles('speaker')
  @StreamAuth('id')
  @Get(':id/live')
  async stream(@CurrentUser() user: AuthUser, @Param('id') roomId: string, @Res() res: Response): Promise<void> {
    assertRoomAccess(user, roomId);
    await this.rooms.get(roomId);
    await this.audit.record(user, 'live.view', `room:${roomId}`);
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no'); // nginx: do not buffer the stream
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    const send = (agg: LiveAggregate): void => {
      res.write(`event: aggregate\ndata: ${JSON.stringify(agg)}\n\n`);
    };
    res.write('retry: 2000\n\n');
    const last = this.live.get(roomId);
    if (last) send(last);
    const off = this.bus.on('aggregate', (agg) => {
      if (agg.roomId === roomId) send(agg);
    });
    const ping = setInterval(() => res.write(': ping\n\n'), PING_INTERVAL_MS);
    this.metrics.sseClients.inc();
    res.on('close', () => {
      off();
      clearInterval(ping);
      this.metrics.sseClients.dec();
    });
  }
}
