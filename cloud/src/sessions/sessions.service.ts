import { randomUUID } from 'node:crypto';
import { ConflictException, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { EventBus } from '../common/event-bus';
import { CLOUD_CONFIG } from '../config/config.tokens';
import type { CloudConfig } from '../config/cloud-config';
import { SessionEntity, type SessionSource } from '../db/entities';
import { IngestService } from '../ingest/ingest.service';
import type { RoomState } from '../live/live-aggregate';
import { LiveService } from '../live/live.service';

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
 * auto ones start when faces have been present for a while and stop when the room has been empty.
 */
@Injectable()
export class SessionsService {
  private readonly logger = new Logger('Sessions');
  private readonly active = new Map<string, SessionEntity>();
  private readonly facesSince = new Map<string, number>();
  private readonly lastFacesAt = new Map<string, number>();
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
    const lookup = (roomId: string): string | null => this.active.get(roomId)?.id ?? null;
    this.live.setSessionLookup(lookup);
    this.ingest.setSessionLookup(lookup);
    this.bus.on('roomState', (st) => this.observe(st));
  }

  whenEnded(fn: (s: SessionEntity) => Promise<void>): void {
    this.onEnded.push(fn);
  }

  activeFor(roomId: string): SessionEntity | null {
    return this.active.get(roomId) ?? null;
  }

  async start(
    roomId: string,
    title: string | undefined,
    source: SessionSource,
    at = Date.now(),
  ): Promise<SessionEntity> {
    const current = this.active.get(roomId);
    if (current) {
      // A speaker's explicit start wins over an automatic one.
      if (current.source === 'auto' && source === 'manual') await this.end(current, at);
      else throw new ConflictException(`room ${roomId} already has a running session (${current.id})`);
    }
    const s = this.repo.create({
      id: randomUUID(),
      roomId,
      title: title ?? `${roomId} ${new Date(at).toISOString().slice(0, 16).replace('T', ' ')}`,
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

  async stop(id: string, at = Date.now()): Promise<SessionEntity> {
    const s = await this.get(id);
    if (s.status !== 'active') throw new ConflictException(`session ${id} is not running (${s.status})`);
    return this.end(s, at);
  }

  private async end(s: SessionEntity, at: number): Promise<SessionEntity> {
    s.endedAt = Math.max(at, s.startedAt);
    s.status = 'ended';
    await this.repo.update({ id: s.id }, { endedAt: s.endedAt, status: 'ended' });
    if (s.roomId && this.active.get(s.roomId)?.id === s.id) this.active.delete(s.roomId);
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
    const now = Date.now();
    if (st.faces > 0) {
      this.lastFacesAt.set(st.roomId, now);
      if (!this.facesSince.has(st.roomId)) this.facesSince.set(st.roomId, now);
    } else {
      this.facesSince.delete(st.roomId);
    }
    void this.tickRoom(st.roomId, now);
  }

  /** Also run every few seconds so an empty or silent room ends its auto session. */
  async tick(now = Date.now()): Promise<void> {
    for (const [roomId, s] of this.active) if (s.source === 'auto') await this.tickRoom(roomId, now);
  }

  private pendingStart = new Set<string>();

  private async tickRoom(roomId: string, now: number): Promise<void> {
    try {
      const current = this.active.get(roomId);
      const since = this.facesSince.get(roomId);
      if (
        !current &&
        since !== undefined &&
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
