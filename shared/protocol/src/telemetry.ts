import { z } from 'zod';
import { faceSizeHistogram } from './face-size';
import { epochMs, slug, version } from './primitives';

const nonNegative = z.number().min(0).max(1e9);

export const telemetrySchema = z.strictObject({
  v: version,
  deviceId: slug,
  ts: epochMs,
  fps: nonNegative,
  detectMs: nonNegative,
  classifyMs: nonNegative,
  /** The detector plugin that runs (e.g. "yunet", "haar-native"), its rate and the faces its last pass found. */
  detector: z.string().max(40).optional(),
  detectHz: nonNegative.optional(),
  facesFound: z.number().int().min(0).optional(),
  /**
   * Faces seen since the last telemetry, per FACE_SIZE_BINS_PX bin, and the readable size in force: the
   * installer's view of whether the camera sees faces large enough to read.
   */
  faceSizes: z.strictObject({ counts: faceSizeHistogram, minReadablePx: z.number().int().min(1).max(2000) }).optional(),
  /** Process CPU use in percent of one core (can exceed 100 on several cores). */
  cpuPercent: nonNegative,
  memoryMb: nonNegative,
  /** SoC temperature; null where the board exposes none. */
  temperatureC: z.number().min(-50).max(150).nullable(),
  outboxDepth: z.number().int().min(0),
  outboxDropped: z.number().int().min(0),
  uptimeS: nonNegative,
  source: z.strictObject({
    state: z.enum(['ok', 'connecting', 'reconnecting', 'ended', 'failed']),
    reconnects: z.number().int().min(0),
    error: z.string().max(300).optional(),
  }),
});

export type Telemetry = z.infer<typeof telemetrySchema>;
