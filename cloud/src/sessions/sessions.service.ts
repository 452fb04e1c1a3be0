import { randomUUID } from 'node:crypto';
import { ConflictException, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { DataSource, In, MoreThan, MoreThanOrEqual } from 'typeorm';
import { EventBus } from '../common/event-bus';
import { CLOUD_CONFIG } from '../config/config.tokens';
import type { CloudConfig } from '../config/cloud-config';
import { AggregateEntity, RoomEntity, SessionEntity, SnapshotEntity, type SessionSource } from '../db/entities';
import { IngestService } from '../ingest/ingest.service';
import type { RoomState } from '../live/live-aggregate';
import { LiveService } from '../live/live.service';
import { loadSlots } from '../rooms/room-schedule';
import { slotOnAt } from './schedule';
import { defaultSessionTitle } from './session-title';

export interface SessionView {
  id: string;
  roomId: string | null;
  title: string;
  startedAt: number;
  endedAt: number | null;
  source: SessionSource;
  status: SessionEntity['status'];
}

export function toSessionView(s: SessionEntity): SessionView {
  return {
    id: s.id,
    roomId: s.roomId,
    title: s.title,
    startedAt: s.startedAt,
    endedAt: s.endedAt,
    source: s.source,
    status: s.status,
  };
}

/**
 * Lectures in a room. At most one active session per room; manual ones are started and stopped by hand,
 * schedule ones run during the room's timetable slots, auto ones start when faces have been present for a
 * while and stop when the room has been empty. Precedence: manual > schedule > auto.
 */
@Injectable()
export class SessionsService {
  private readonly logger = new Logger('Sessions');
  private readonly active = new Map<string, SessionEntity>();
  private readonly facesSince = new Map<string, number>();
  private readonly lastFacesAt = new Map<string, number>();
  /**
   * Rooms whose session was stopped by hand while people were still there: no auto session starts until the
   * room has been empty, or the leaving audience would open a new one seconds after the speaker's stop.
   */
  private readonly autoHeld = new Set<string>();
  /** Slot occurrence (see slotOnAt) each running schedule session belongs to, by room. */
  private readonly scheduleKey = new Map<string, string>();
  private readonly roomQueue = new Map<string, Promise<unknown>>();
  /** Time source for every session decision; tests replace it to drive the timetable deterministically. */
  private clock: () => number = Date.now;
  /** Listeners run when a session ends (reports). */
  private readonly onEnded: ((s: SessionEntity) => Promise<void>)[] = [];

  constructor(
    private readonly ds: DataSource,
    private readonly bus: EventBus,
    private readonly live: LiveService,
    private readonly ingest: IngestService,
    @Inject(CLOUD_CONFIG) private readonly config: CloudConfig,
  ) {}

  private get repo() {
    return this.ds.getRepository(SessionEntity);
  }

  async load(): Promise<void> {
    for (const s of await this.repo.findBy({ status: 'active' })) if (s.roomId) this.active.set(s.roomId, s);
    this.live.setSessionLookup((roomId) => this.active.get(roomId) ?? null);
    this.ingest.setSessionLookup((roomId) => this.active.get(roomId)?.id ?? null);
    this.bus.on('roomState', (st) => this.observe(st));
  }

  useClock(clock: () => number): void {
    this.clock = clock;
  }

  now(): number {
    return this.clock();
  }

  whenEnded(fn: (s: SessionEntity) => Promise<void>): void {
    this.onEnded.push(fn);
  }

  activeFor(roomId: string): SessionEntity | null {
    return this.active.get(roomId) ?? null;
  }

  /** Runs one room's starts one after another, so concurrent triggers cannot both see an empty room. */
  private serial<T>(roomId: string, fn: () => Promise<T>): Promise<T> {
    const next = (this.roomQueue.get(roomId) ?? Promise.resolve()).catch(() => undefined).then(fn);
    this.roomQueue.set(roomId, next);
    next
      .finally(() => {
        if (this.roomQueue.get(roomId) === next) this.roomQueue.delete(roomId);
      })
      .catch(() => undefined);
    return next;
  }

  start(roomId: string, title: string | undefined, source: SessionSource, at = this.clock()): Promise<SessionEntity> {
    return this.serial(roomId, () => this.startNow(roomId, title, source, at));
  }

  private async startNow(
    roomId: string,
    title: string | undefined,
    source: SessionSource,
    at: number,
  ): Promise<SessionEntity> {
    const current = this.active.get(roomId);
    if (current) {
      // A speaker's explicit start wins over a scheduled or automatic one; the timetable wins over auto.
      const rank = (s: SessionSource): number => (s === 'auto' ? 0 : s === 'schedule' ? 1 : 2);
      if (rank(source) > rank(current.source) && current.source !== 'upload') await this.end(current, at);
      else throw new ConflictException(`room ${roomId} already has a running session (${current.id})`);
    }
    const s = this.repo.create({
      id: randomUUID(),
      roomId,
      title: title ?? defaultSessionTitle(await this.roomName(roomId), at),
      startedAt: at,
      endedAt: null,
      source,
      status: 'active',
    });
    await this.repo.insert(s);
    this.active.set(roomId, s);
    this.logger.log(`session ${s.id} (${source}) started in ${roomId}`);
    return s;
  }

  async stop(id: string, at = this.clock()): Promise<SessionEntity> {
    const s = await this.get(id);
    if (s.status !== 'active') throw new ConflictException(`session ${id} is not running (${s.status})`);
    if (s.roomId && this.facesSince.has(s.roomId)) this.autoHeld.add(s.roomId);
    return this.end(s, at);
  }

  private async end(s: SessionEntity, at: number): Promise<SessionEntity> {
    s.endedAt = Math.max(at, s.startedAt);
    s.status = 'ended';
    await this.repo.update({ id: s.id }, { endedAt: s.endedAt, status: 'ended' });
    if (s.roomId && this.active.get(s.roomId)?.id === s.id) this.active.delete(s.roomId);
    this.scheduleKey.delete(s.id);
    this.logger.log(`session ${s.id} (${s.source}) ended`);
    for (const fn of this.onEnded) {
      try {
        await fn(s);
      } catch (err) {
        this.logger.error(`session-ended listener failed for ${s.id}: ${(err as Error).message}`);
      }
    }
    return s;
  }

  private async roomName(roomId: string): Promise<string> {
    return (await this.ds.getRepository(RoomEntity).findOneBy({ id: roomId }))?.name ?? roomId;
  }

  async rename(id: string, title: string): Promise<SessionEntity> {
    const s = await this.get(id);
    s.title = title;
    await this.repo.update({ id }, { title });
    const running = s.roomId ? this.active.get(s.roomId) : undefined;
    if (running?.id === id) running.title = title;
    return s;
  }

  /**
   * Deletes an ended session with everything recorded under it (its aggregates and raw snapshots). A running
   * session is refused: its room keeps writing into it.
   */
  async remove(id: string): Promise<SessionEntity> {
    const s = await this.get(id);
    if (s.status === 'active') {
      throw new ConflictException(`"${s.title}" is still recording. Stop the session first, then delete it.`);
    }
    await this.ds.transaction(async (em) => {
      await em.getRepository(AggregateEntity).delete({ sessionId: id });
      await em.getRepository(SnapshotEntity).delete({ sessionId: id });
      await em.getRepository(SessionEntity).delete({ id });
    });
    this.logger.log(`session ${id} deleted`);
    return s;
  }

  async get(id: string): Promise<SessionEntity> {
    const s = await this.repo.findOneBy({ id });
    if (!s) throw new NotFoundException(`session ${id} not found`);
    return s;
  }

  async list(roomIds: string[] | null): Promise<SessionEntity[]> {
    return this.repo.find({
      where: roomIds === null ? {} : { roomId: In(roomIds) },
      order: { startedAt: 'DESC' },
      take: 500,
    });
  }

  /** Auto sessions: follow face presence reported in the room state. */
  private observe(st: RoomState): void {
    const now = this.clock();
    if (st.faces > 0) {
      this.lastFacesAt.set(st.roomId, now);
      if (!this.facesSince.has(st.roomId)) this.facesSince.set(st.roomId, now);
    } else {
      this.facesSince.delete(st.roomId);
      this.autoHeld.delete(st.roomId);
    }
    void this.tickRoom(st.roomId, now);
  }

  /**
   * Run every few seconds: ends auto sessions of empty or silent rooms, and starts / ends schedule sessions
   * at the timetable's slot boundaries.
   */
  tick(now = this.clock()): Promise<void> {
    // One tick at a time: the background timer and a caller must not both end or start the same session.
    const run = this.lastTick.then(async () => {
      for (const [roomId, s] of this.active) if (s.source === 'auto') await this.tickRoom(roomId, now);
      await this.tickSchedule(now);
    });
    this.lastTick = run.catch(() => undefined);
    return run;
  }

  private lastTick: Promise<void> = Promise.resolve();

  private async tickSchedule(now: number): Promise<void> {
    const byRoom = new Map<string, Awaited<ReturnType<typeof loadSlots>>>();
    for (const slot of await loadSlots(this.ds)) byRoom.set(slot.roomId, [...(byRoom.get(slot.roomId) ?? []), slot]);
    // Rooms whose timetable was emptied still need their running schedule session ended.
    for (const [roomId, s] of this.active) if (s.source === 'schedule' && !byRoom.has(roomId)) byRoom.set(roomId, []);
    for (const [roomId, slots] of byRoom) {
      try {
        await this.tickScheduleRoom(roomId, slotOnAt(slots, now), now);
      } catch (err) {
        this.logger.error(`scheduled session for ${roomId} failed: ${(err as Error).message}`);
      }
    }
  }

  private async tickScheduleRoom(roomId: string, on: ReturnType<typeof slotOnAt>, now: number): Promise<void> {
    let current = this.active.get(roomId);
    if (current?.source === 'schedule') {
      // After a restart the running session is adopted by whatever slot is on.
      const key = this.scheduleKey.get(current.id) ?? on?.key;
      if (on && key === on.key) {
        this.scheduleKey.set(current.id, key);
        return;
      }
      this.scheduleKey.delete(current.id);
      await this.end(current, now);
      current = undefined;
    }
    if (!on || current?.source === 'manual' || current?.source === 'upload') return;
    if (await this.slotAlreadyServed(roomId, on.startsAt)) return;
    const s = await this.start(roomId, on.slot.title ?? undefined, 'schedule', now);
    this.scheduleKey.set(s.id, on.key);
  }

  /**
   * True when this slot occurrence already had its lecture: a schedule session started in it (and was
   * stopped by hand), or a manual session ran into it. Read from the database so a restart agrees.
   */
  private slotAlreadyServed(roomId: string, startsAt: number): Promise<boolean> {
    return this.repo.exists({
      where: [
        { roomId, source: 'schedule', startedAt: MoreThanOrEqual(startsAt) },
        { roomId, source: 'manual', endedAt: MoreThan(startsAt) },
      ],
    });
  }

  private pendingStart = new Set<string>();

  private async tickRoom(roomId: string, now: number): Promise<void> {
    try {
      const current = this.active.get(roomId);
      const since = this.facesSince.get(roomId);
      if (
        !current &&
        since !== undefined &&
        !this.autoHeld.has(roomId) &&
        now - since >= this.config.autoSessionStartS * 1000 &&
        !this.pendingStart.has(roomId)
      ) {
        this.pendingStart.add(roomId);
        try {
          await this.start(roomId, undefined, 'auto', since);
        } finally {
          this.pendingStart.delete(roomId);
        }
      } else if (current?.source === 'auto') {
        const last = this.lastFacesAt.get(roomId) ?? current.startedAt;
        if (now - last >= this.config.autoSessionStopS * 1000) await this.end(current, last);
      }
    } catch (err) {
      this.logger.error(`auto session for ${roomId} failed: ${(err as Error).message}`);
    }
  }
}
