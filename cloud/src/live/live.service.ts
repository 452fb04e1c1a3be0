import { Inject, Injectable } from '@nestjs/common';
import { epochOf, type Snapshot } from '@lectern/protocol';
import { EventBus } from '../common/event-bus';
import { CLOUD_CONFIG } from '../config/config.tokens';
import type { CloudConfig } from '../config/cloud-config';
import { roomStateOf, toLiveAggregate, type LiveAggregate, type RunningSession } from './live-aggregate';

/**
 * A device's snapshot counts towards its room's live view for this long after capture; a device whose live
 * view has not moved for this long follows its next fresh snapshot whatever its seq (see `accept`).
 */
const STALE_AFTER_MS = 10_000;

/** Where a device's live view stands: the snapshot it shows, and when the cloud took it. */
interface Baseline {
  epoch: number;
  seq: number;
  capturedAt: number;
  acceptedAt: number;
}

/** Current per-room view, rebuilt on every in-order snapshot and published on the event bus. */
@Injectable()
export class LiveService {
  private readonly parts = new Map<string, Map<string, Snapshot>>();
  private readonly latest = new Map<string, LiveAggregate>();
  private readonly baseline = new Map<string, Baseline>();
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

  /**
   * Moves the device's live view to `snapshot` if it is newer than what it shows: a later seq of the same
   * epoch, or, from a new epoch (a re-imaged device counting from 0 again), a later capture time. Replayed
   * (older) snapshots are stored by ingestion but never rewind the live view. Nothing can freeze it either: a
   * device whose view has not moved for STALE_AFTER_MS follows its next fresh snapshot, whatever seq the
   * view stopped at (one absurd seq, a restarted counter without an epoch). The room's time is the capture
   * time, never later than the cloud's clock, so a fast device clock cannot hold its time buckets open.
   */
  accept(snapshot: Snapshot, roomId: string, now = Date.now()): LiveAggregate | null {
    const prev = this.baseline.get(snapshot.deviceId);
    const epoch = epochOf(snapshot);
    const newer =
      prev === undefined ||
      (epoch === prev.epoch ? snapshot.seq > prev.seq : snapshot.capturedAt > prev.capturedAt) ||
      (now - prev.acceptedAt > STALE_AFTER_MS && Math.abs(now - snapshot.capturedAt) <= STALE_AFTER_MS);
    if (!newer) return null;
    this.baseline.set(snapshot.deviceId, {
      epoch,
      seq: snapshot.seq,
      capturedAt: snapshot.capturedAt,
      acceptedAt: now,
    });
    let room = this.parts.get(roomId);
    if (!room) this.parts.set(roomId, (room = new Map<string, Snapshot>()));
    room.set(snapshot.deviceId, snapshot);
    for (const [id, s] of room) if (now - s.capturedAt > STALE_AFTER_MS && id !== snapshot.deviceId) room.delete(id);
    return this.publish(roomId, room, Math.min(snapshot.capturedAt, now));
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
