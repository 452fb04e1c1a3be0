import { aggregateFaces, encode, type Snapshot } from '@lectern/protocol';

/** A valid snapshot with `faces` tracks; `happy` in [0,1] shifts the emotion mix. */
export function makeSnapshot(
  deviceId: string,
  roomId: string,
  seq: number,
  faces: number,
  opts: { happy?: number; capturedAt?: number; emotionEnabled?: boolean } = {},
): Snapshot {
  const happy = opts.happy ?? 0.6;
  const p = [0.02, 0.01, 0.02, happy, 0.05, 0.05, 0];
  p[6] = Math.max(0, 1 - p.reduce((a, b) => a + b, 0));
  const tracks = Array.from({ length: faces }, (_, i) => ({ id: i + 1, p, frontal: i % 4 !== 3, ageS: seq }));
  return {
    v: 1,
    deviceId,
    roomId,
    seq,
    capturedAt: opts.capturedAt ?? Date.now(),
    faces,
    tracks,
    aggregate: aggregateFaces(tracks),
    model: { id: 'fer-mini-xception', version: '1.0.0' },
    emotionEnabled: opts.emotionEnabled ?? true,
  };
}

export function snapshotPayload(s: Snapshot): Buffer {
  return encode('snapshot', s);
}
