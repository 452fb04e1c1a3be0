import { z } from 'zod';
import { EMOTION_COUNT, EMOTIONS } from './emotions';

/** Protocol version carried in every payload and in the topic root. */
export const PROTOCOL_VERSION = 1 as const;
export const version = z.literal(PROTOCOL_VERSION);

/** Device and room ids are short slugs: never a name, never free text that could hold an identity. */
export const slug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be a lowercase slug (a-z, 0-9, "-", "_")');

/** Milliseconds since the Unix epoch. */
export const epochMs = z.number().int().min(0).max(8.64e15);

export const probability = z.number().min(0).max(1);

/** A probability vector in FER2013 order; exactly 7 entries, so it cannot carry pixels. */
export const emotionVector = z
  .array(probability)
  .length(EMOTION_COUNT, `must hold exactly ${EMOTION_COUNT} probabilities (${EMOTIONS.join(', ')})`);

export const emotionLabel = z.enum(EMOTIONS);

/** Short strings only: long strings are where a base64 image could hide. */
export const shortText = (max = 64) => z.string().max(max);

export const modelRef = z.strictObject({
  id: shortText(64),
  version: shortText(32),
});
