import { iou, type Box } from '../image/gray-image';

export interface TrackState {
  /** Ephemeral id, restarts from 1 with the process; never linked to an identity. */
  id: number;
  /** The latest box: its longer side is the face size the readable-size gate checks (faceSizePx). */
  box: Box;
  startedAt: number;
  lastSeenAt: number;
  /** Seen by the (frontal) face detector in the latest detection pass. */
  frontal: boolean;
  /** Smoothed class probabilities, null until the first classification. */
  p: Float64Array | null;
}

export interface TrackerOptions {
  /** Minimum IoU to continue a track. */
  iouThreshold: number;
  /** Centroid fallback: continue a track whose centre moved less than this share of its size. */
  centroidRatio: number;
  /** Forget a track unseen for this long (a listener looking down for a moment keeps the id). */
  maxMissMs: number;
}

export const DEFAULT_TRACKER: TrackerOptions = { iouThreshold: 0.3, centroidRatio: 0.5, maxMissMs: 3000 };

/** Greedy IoU association with a centroid-distance fallback: cheap and good enough for seated audiences. */
export class IouTracker {
  private tracks: TrackState[] = [];
  private nextId = 1;

  private opts: TrackerOptions;

  constructor(opts: TrackerOptions = DEFAULT_TRACKER) {
    this.opts = { ...opts };
  }

  /** How long an unseen track is kept; must cover a few detection intervals at low detection rates. */
  setMaxMissMs(ms: number): void {
    this.opts.maxMissMs = ms;
  }

  /** Associates this detection pass with the tracks; returns the track of every box, in box order. */
  update(boxes: readonly Box[], now: number): TrackState[] {
    const pairs: { t: number; b: number; score: number }[] = [];
    this.tracks.forEach((track, t) => {
      boxes.forEach((box, b) => {
        const overlap = iou(track.box, box);
        if (overlap >= this.opts.iouThreshold) pairs.push({ t, b, score: 1 + overlap });
        else {
          const dx = track.box.x + track.box.width / 2 - (box.x + box.width / 2);
          const dy = track.box.y + track.box.height / 2 - (box.y + box.height / 2);
          const size = Math.max(track.box.width, box.width);
          const dist = Math.hypot(dx, dy) / size;
          if (dist < this.opts.centroidRatio) pairs.push({ t, b, score: 1 - dist });
        }
      });
    });
    pairs.sort((a, b) => b.score - a.score);
    const trackUsed = new Set<number>();
    const assigned = new Array<TrackState | undefined>(boxes.length);
    for (const { t, b } of pairs) {
      if (trackUsed.has(t) || assigned[b]) continue;
      trackUsed.add(t);
      assigned[b] = this.tracks[t];
    }
    for (const track of this.tracks) track.frontal = false;
    const result = boxes.map((box, b) => {
      let track = assigned[b];
      if (!track) {
        track = { id: this.nextId++, box, startedAt: now, lastSeenAt: now, frontal: true, p: null };
        this.tracks.push(track);
      }
      track.box = box;
      track.lastSeenAt = now;
      track.frontal = true;
      return track;
    });
    this.tracks = this.tracks.filter((t) => now - t.lastSeenAt <= this.opts.maxMissMs);
    if (this.nextId > 2 ** 31 - 2) this.nextId = 1;
    return result;
  }

  /** Tracks alive now (seen within maxMissMs). */
  active(now: number): TrackState[] {
    return this.tracks.filter((t) => now - t.lastSeenAt <= this.opts.maxMissMs);
  }
}
