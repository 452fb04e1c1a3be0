import { Inject, Injectable } from '@nestjs/common';
import type { Snapshot } from '@lectern/protocol';
import { EventBus } from '../common/event-bus';
import { CLOUD_CONFIG } from '../config/config.tokens';
import type { CloudConfig } from '../config/cloud-config';
import { roomStateOf, toLiveAggregate, type LiveAggregate, type RunningSession } from './live-aggregate';

/** A device's snapshot counts towards its room's live view for this long after capture. */
const STALE_AFTER_MS = 10_000;

/** Current per-room view, rebuilt on every in-order snapshot and published on the event bus. */
@Injectable()
export class LiveService {
  private readonly parts = new Map<string, Map<string, Snapshot>>();
  private readonly latest = new Map<string, LiveAggregate>();
  private readonly lastSeq = new Map<string, number>();
  private readonly roomMinGroup = new Map<string, number>();
  private sessionOf: (roomId: string) => RunningSession | null = () => null;

  constructor(
    @Inject(CLOUD_CONFIG) private readonly config: CloudConfig,
    private readonly bus: EventBus,
  ) {}

  /** Sessions register here to stamp the running session on live aggregates without a cycle. */
  setSessionLookup(fn: (roomId: string) => RunningSession | null): void {
    this.sessionOf = fn;
  }

  setRoomMinGroupSize(roomId: string, value: number | null): void {
    if (value === null) this.roomMinGroup.delete(roomId);
    else this.roomMinGroup.set(roomId, value);
  }

  minGroupSize(roomId: string): number {
    return Math.max(this.config.minGroupSize, this.roomMinGroup.get(roomId) ?? 0);
  }

  /** Replayed (older) snapshots are stored by ingestion but never rewind the live view. */
  accept(snapshot: Snapshot, roomId: string, now = Date.now()): LiveAggregate | null {
    const prev = this.lastSeq.get(snapshot.deviceId);
    if (prev !== undefined && snapshot.seq <= prev) return null;
    this.lastSeq.set(snapshot.deviceId, snapshot.seq);
    let room = this.parts.get(roomId);
    if (!room) this.parts.set(roomId, (room = new Map<string, Snapshot>()));
    room.set(snapshot.deviceId, snapshot);
    for (const [id, s] of room) if (now - s.capturedAt > STALE_AFTER_MS && id !== snapshot.deviceId) room.delete(id);
    return this.publish(roomId, room, snapshot.capturedAt);
  }

  /** Forgets a device that moved rooms or went offline so it stops counting. */
  dropDevice(deviceId: string): void {
    for (const [roomId, room] of this.parts) {
      if (room.delete(deviceId)) this.publish(roomId, room, Date.now());
    }
  }

  private publish(roomId: string, room: Map<string, Snapshot>, ts: number): LiveAggregate {
    const state = roomStateOf(roomId, room, this.sessionOf(roomId), ts);
    const agg = toLiveAggregate(state, this.minGroupSize(roomId));
    this.latest.set(roomId, agg);
    this.bus.emit('roomState', state);
    this.bus.emit('aggregate', agg);
    return agg;
  }

  get(roomId: string): LiveAggregate | null {
    return this.latest.get(roomId) ?? null;
  }
}
