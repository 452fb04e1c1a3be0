import { aggregateFaces, encode, snapshotSchema, type Snapshot } from '@lectern/protocol';

export interface SnapshotOptions {
  /** In [0,1], shifts the emotion mix. */
  happy?: number;
  capturedAt?: number;
  emotionEnabled?: boolean;
  /**
   * Faces below the readable size: the snapshot then carries `reading`, as agents with the readable-size gate
   * send it, and only the other faces are tracks. Without it, an older agent's snapshot (every face read).
   */
  tooSmall?: number;
  minReadablePx?: number;
  /** Sequence epoch; left out as by agents from before epochs. */
  epoch?: number;
}

/** A valid snapshot with `faces` faces (see SnapshotOptions for the read ones). */
export function makeSnapshot(
  deviceId: string,
  roomId: string,
  seq: number,
  faces: number,
  opts: SnapshotOptions = {},
): Snapshot {
  const happy = opts.happy ?? 0.6;
  const p = [0.02, 0.01, 0.02, happy, 0.05, 0.05, 0];
  p[6] = Math.max(0, 1 - p.reduce((a, b) => a + b, 0));
  const emotionEnabled = opts.emotionEnabled ?? true;
  const gated = opts.tooSmall !== undefined;
  const read = gated ? (emotionEnabled ? faces - opts.tooSmall! : 0) : faces;
  const tracks = Array.from({ length: read }, (_, i) => ({ id: i + 1, p, frontal: i % 4 !== 3, ageS: seq }));
  const aggregate = aggregateFaces(tracks);
  // Attention is every tracked face's, read or not: one in four looks away.
  if (faces > 0)
    aggregate.attention = Array.from({ length: faces }, (_, i) => i % 4 !== 3).filter(Boolean).length / faces;
  return snapshotSchema.parse({
    v: 1,
    deviceId,
    roomId,
    ...(opts.epoch !== undefined ? { epoch: opts.epoch } : {}),
    seq,
    capturedAt: opts.capturedAt ?? Date.now(),
    faces,
    tracks,
    aggregate,
    model: { id: 'fer-mini-xception', version: '1.0.0' },
    emotionEnabled,
    ...(gated ? { reading: { read, tooSmall: opts.tooSmall!, minReadablePx: opts.minReadablePx ?? 16 } } : {}),
  });
}

export function snapshotPayload(s: Snapshot): Buffer {
  return encode('snapshot', s);
}
