import { Injectable } from '@nestjs/common';
import { Between, DataSource, MoreThan } from 'typeorm';
import {
  AggregateEntity,
  ReportEntity,
  RoomEntity,
  SessionEntity,
  SnapshotEntity,
  type Resolution,
} from '../db/entities';
import { LiveService } from '../live/live.service';
import { cloudTimeZone, isValidTimeZone } from '../sessions/schedule';
import { SessionsService, toSessionView } from '../sessions/sessions.service';
import {
  findPeaks,
  fromStoredReport,
  ListenerAccumulator,
  summarize,
  type SessionReport,
  type StoredReport,
} from './report';
import { LISTENER_MIN_SEEN_S } from './report-format';
import { reportView } from './report-view';
import { toTimeline, type TimelinePoint } from './timeline';

/** Sessions up to this long get a 1 s timeline in their report; longer ones 1 min. */
const ONE_SECOND_REPORT_MAX_S = 15 * 60;
const SCAN_CHUNK = 2000;

@Injectable()
export class ReportsService {
  constructor(
    private readonly ds: DataSource,
    private readonly live: LiveService,
    sessions: SessionsService,
  ) {
    // A finished session's report is computed once and kept (raw snapshots may be purged later).
    sessions.whenEnded((s) => this.store(s));
  }

  async roomTimeline(roomId: string, from: number, to: number, resolution: Resolution): Promise<TimelinePoint[]> {
    const rows = await this.ds.getRepository(AggregateEntity).find({
      where: { roomId, resolution, ts: Between(from, to) },
      order: { ts: 'ASC' },
      take: 100_000,
    });
    return toTimeline(rows, this.live.minGroupSize(roomId));
  }

  async sessionTimeline(s: SessionEntity, resolution: Resolution): Promise<TimelinePoint[]> {
    const rows = await this.ds.getRepository(AggregateEntity).find({
      where: { sessionId: s.id, resolution },
      order: { ts: 'ASC' },
      take: 100_000,
    });
    return toTimeline(rows, s.roomId ? this.live.minGroupSize(s.roomId) : this.live.minGroupSize(''));
  }

  async report(s: SessionEntity): Promise<SessionReport> {
    if (s.status === 'ended') {
      const stored = await this.ds.getRepository(ReportEntity).findOneBy({ sessionId: s.id });
      // The figures are kept; their wording (room name, zone, K) is of today.
      if (stored)
        return this.withView({
          ...fromStoredReport(JSON.parse(stored.body) as StoredReport),
          session: toSessionView(s),
        });
    }
    return this.compute(s);
  }

  /** Adds the report's text (report-view.ts): room name, local times, duration, peak sentences, threshold. */
  async withView(r: Omit<SessionReport, 'view'>): Promise<SessionReport> {
    const roomId = r.session.roomId;
    const room = roomId ? await this.ds.getRepository(RoomEntity).findOneBy({ id: roomId }) : null;
    // The room's zone once rooms have one (issue 15); until then the cloud's (TZ), as for timetable slots.
    const roomZone: unknown = room && 'timeZone' in room ? room.timeZone : null;
    const zone = typeof roomZone === 'string' && isValidTimeZone(roomZone) ? roomZone : null;
    const view = reportView(r, {
      roomName: room?.name ?? null,
      timeZone: zone ?? cloudTimeZone(),
      zoneSource: zone ? 'room' : 'cloud',
      minGroupSize: this.live.minGroupSize(roomId ?? ''),
    });
    return { ...r, view };
  }

  async compute(s: SessionEntity): Promise<SessionReport> {
    const end = s.endedAt ?? Date.now();
    const durationS = Math.max(0, (end - s.startedAt) / 1000);
    const resolution: Resolution = durationS <= ONE_SECOND_REPORT_MAX_S ? '1s' : '1m';
    const timeline = await this.sessionTimeline(s, resolution);
    const peakRow = await this.ds
      .getRepository(AggregateEntity)
      .createQueryBuilder('a')
      .select('MAX(a.peakFaces)', 'peakFaces')
      .addSelect('MAX(a.read)', 'peakRead')
      .where('a.sessionId = :id', { id: s.id })
      .getRawOne<{ peakFaces: number | string | null; peakRead: number | string | null }>();
    const peakFaces = Number(peakRow?.peakFaces ?? 0);
    const summary = summarize(timeline, durationS, peakFaces);
    const minGroup = s.roomId ? this.live.minGroupSize(s.roomId) : this.live.minGroupSize('');
    // Per-listener rows (read faces only) only for a read group large enough that nobody stands out.
    const listeners = Number(peakRow?.peakRead ?? 0) >= minGroup ? await this.listeners(s.id) : [];
    return this.withView({ session: toSessionView(s), summary, timeline, peaks: findPeaks(timeline), listeners });
  }

  private async listeners(sessionId: string) {
    const acc = new ListenerAccumulator();
    const repo = this.ds.getRepository(SnapshotEntity);
    let after = 0;
    for (;;) {
      const rows = await repo.find({
        select: ['id', 'deviceId', 'capturedAt', 'tracks', 'emotionEnabled'],
        where: { sessionId, id: MoreThan(after) },
        order: { id: 'ASC' },
        take: SCAN_CHUNK,
      });
      for (const r of rows)
        if (r.emotionEnabled) acc.add(r.deviceId, r.capturedAt, JSON.parse(r.tracks) as { id: number; p: number[] }[]);
      if (rows.length < SCAN_CHUNK) break;
      after = rows[rows.length - 1]!.id;
    }
    return acc.result(LISTENER_MIN_SEEN_S);
  }

  async store(s: SessionEntity): Promise<void> {
    const report = await this.compute(s);
    await this.ds
      .getRepository(ReportEntity)
      .save({ sessionId: s.id, createdAt: Date.now(), body: JSON.stringify({ ...report, view: undefined }) });
  }
}
