import { z } from 'zod';
import { epochMs, modelRef, shortText, slug, version } from './primitives';

/** Retained `online` on every connect; the same topic carries the last-will `offline`. */
export const statusSchema = z.strictObject({
  v: version,
  deviceId: slug,
  state: z.enum(['online', 'offline']),
  /** When the connection that set this state was opened. */
  since: epochMs,
  software: shortText(32).optional(),
  model: modelRef.optional(),
});

export type DeviceStatus = z.infer<typeof statusSchema>;
