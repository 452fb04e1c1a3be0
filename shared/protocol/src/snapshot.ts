import { z } from 'zod';
import { readingSchema } from './face-size';
import { emotionLabel, emotionVector, epochMs, modelRef, probability, slug, version } from './primitives';

/** At most this many tracked faces per snapshot: a lecture hall camera sees far fewer. */
export const MAX_TRACKS = 256;

/** Largest sequence epoch: 31 bits, so it fits an integer column of every database. */
export const MAX_EPOCH = 2 ** 31 - 1;

/** The epoch a snapshot belongs to; older agents send none and share epoch 0. */
export const epochOf = (s: Pick<Snapshot, 'epoch'>): number => s.epoch ?? 0;

export const trackSchema = z.strictObject({
  /** Ephemeral per-device track id: restarts from 1, never linked to an identity. */
  id: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1),
  /** Smoothed emotion probabilities in FER2013 order. */
  p: emotionVector,
  /** Whether the face was seen frontally in the latest frame (attention proxy). */
  frontal: z.boolean(),
  /** Seconds since the track started. */
  ageS: z.number().min(0).max(1e7),
});

export const aggregateSchema = z.strictObject({
  /** Mean of the track probabilities, FER2013 order; all zero when no faces are tracked. */
  distribution: emotionVector,
  dominant: emotionLabel.nullable(),
  /** Probability-weighted valence in [-1, 1], see docs/metrics.md. */
  valence: z.number().min(-1).max(1),
  /** Share of tracked listeners seen frontally now. */
  attention: probability,
});

export const snapshotSchema = z
  .strictObject({
    v: version,
    deviceId: slug,
    roomId: slug,
    /**
     * Sequence epoch: a random id the device draws when its sequence counter is created (first start, a
     * re-image, a reset data directory). Absent from older agents (epoch 0). The cloud dedupes on
     * (device, epoch, seq), so a device whose counter starts again from 0 is stored, not taken for a replay.
     */
    epoch: z.number().int().min(1).max(MAX_EPOCH).optional(),
    /** Per-device, strictly increasing within an epoch, survives restarts. */
    seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    /** Capture time of the frame the snapshot describes. */
    capturedAt: epochMs,
    faces: z.number().int().min(0).max(MAX_TRACKS),
    tracks: z.array(trackSchema).max(MAX_TRACKS),
    aggregate: aggregateSchema,
    model: modelRef,
    /** False when the deployment policy switched emotion inference off: only face counts are sent. */
    emotionEnabled: z.boolean(),
    /** Read and too-small faces; absent from agents older than the readable-size gate (they read every face). */
    reading: readingSchema.optional(),
  })
  .superRefine((s, ctx) => {
    if (s.reading && s.reading.read + s.reading.tooSmall > s.faces) {
      ctx.addIssue({
        code: 'custom',
        path: ['reading'],
        message: `read (${s.reading.read}) + tooSmall (${s.reading.tooSmall}) exceed faces (${s.faces})`,
      });
    }
  });

/**
 * The faces a snapshot's emotion figures stand for: its read faces (all faces from older agents, none with
 * emotion inference off), never more than the listeners whose tracks it carries: a device cannot claim a
 * group its tracks do not show. Room aggregates weight devices by it and the minimum group size counts it.
 */
export function readFacesOf(s: Pick<Snapshot, 'faces' | 'emotionEnabled' | 'reading' | 'tracks'>): number {
  if (!s.emotionEnabled) return 0;
  return Math.min(s.reading ? s.reading.read : s.faces, s.tracks.length);
}

export type Track = z.infer<typeof trackSchema>;
export type Aggregate = z.infer<typeof aggregateSchema>;
export type Snapshot = z.infer<typeof snapshotSchema>;
