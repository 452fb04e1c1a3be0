import { EMOTION_COUNT } from '@lectern/protocol';
import type { AggregateEntity, Resolution } from '../db/entities';

export interface Sample {
  ts: number;
  faces: number;
  /** Faces the emotion figures stand for (`readFacesOf`). */
  read: number;
  distribution: readonly number[] | null;
  valence: number | null;
  attention: number | null;
}

export type AggregateRow = Omit<AggregateEntity, 'id'>;

/** Running means over one time bucket. */
export class Bucket {
  samples = 0;
  private faces = 0;
  private read = 0;
  peakFaces = 0;
  private emo = 0;
  private valence = 0;
  private readonly dist = new Array<number>(EMOTION_COUNT).fill(0);
  private seen = 0;
  private attention = 0;

  constructor(
    readonly start: number,
    readonly resolution: Resolution,
    readonly roomId: string | null,
    readonly sessionId: string | null,
  ) {}

  add(s: Sample): void {
    this.samples++;
    this.faces += s.faces;
    this.read += s.read;
    this.peakFaces = Math.max(this.peakFaces, s.faces);
    if (s.distribution && s.valence !== null) {
      this.emo++;
      this.valence += s.valence;
      for (let i = 0; i < EMOTION_COUNT; i++) this.dist[i]! += s.distribution[i] ?? 0;
    }
    if (s.attention !== null) {
      this.seen++;
      this.attention += s.attention;
    }
  }

  row(): AggregateRow {
    return {
      roomId: this.roomId,
      sessionId: this.sessionId,
      resolution: this.resolution,
      ts: this.start,
      faces: this.samples ? this.faces / this.samples : 0,
      read: this.samples ? this.read / this.samples : 0,
      peakFaces: this.peakFaces,
      valence: this.emo ? this.valence / this.emo : null,
      attention: this.seen ? this.attention / this.seen : null,
      distribution: this.emo ? JSON.stringify(this.dist.map((v) => v / this.emo)) : null,
      samples: this.samples,
    };
  }
}

const SIZE: Record<Resolution, number> = { '1s': 1000, '1m': 60_000 };

/**
 * 1 s and 1 min buckets for one scope (a room, or an uploaded video's session). A bucket is closed when a
 * sample for a later bucket arrives, or by `closeBefore` when samples stop.
 */
export class Bucketer {
  private open: Partial<Record<Resolution, Bucket>> = {};
  /** Wall-clock time of the latest sample, whatever its capture time. */
  lastSampleAt = 0;

  constructor(
    private readonly roomId: string | null,
    private readonly emit: (row: AggregateRow) => void,
  ) {}

  add(s: Sample, sessionId: string | null, now = Date.now()): void {
    this.lastSampleAt = now;
    for (const res of ['1s', '1m'] as const) {
      const start = Math.floor(s.ts / SIZE[res]) * SIZE[res];
      let b = this.open[res];
      // A late sample for an already closed bucket is folded into the open one rather than rewriting history.
      if (b && (start > b.start || b.sessionId !== sessionId)) {
        this.emit(b.row());
        b = undefined;
      }
      if (!b) this.open[res] = b = new Bucket(start, res, this.roomId, sessionId);
      b.add(s);
    }
  }

  /** Closes buckets that ended before `ts` (wall clock), so a silent room still gets its last points. */
  closeBefore(ts: number): void {
    for (const res of ['1s', '1m'] as const) {
      const b = this.open[res];
      if (b && b.start + SIZE[res] <= ts) {
        this.emit(b.row());
        delete this.open[res];
      }
    }
  }

  closeAll(): void {
    this.closeBefore(Number.MAX_SAFE_INTEGER);
  }
}
