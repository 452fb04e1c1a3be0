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

/**
 * Text a database stores as sent, on SQLite and PostgreSQL alike: no control characters (C0 with NUL, DEL,
 * C1), which PostgreSQL refuses (NUL) or a log or CSV would misrender, and no lone UTF-16 surrogates, which
 * are valid in JSON but not in UTF-8 (PostgreSQL refuses them, SQLite would silently turn them into U+FFFD).
 */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `s` is not storable text, or null when it is. */
export function textProblem(s: string): string | null {
  if (CONTROL_CHARACTER.test(s)) return 'must not contain control characters (U+0000-U+001F, U+007F-U+009F)';
  if (LONE_SURROGATE.test(s)) return 'must not contain lone UTF-16 surrogates';
  return null;
}

/** Short storable strings only: long strings are where a base64 image could hide. */
export const shortText = (max = 64) =>
  z
    .string()
    .max(max)
    .superRefine((s, ctx) => {
      const problem = textProblem(s);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

export const modelRef = z.strictObject({
  id: shortText(64),
  version: shortText(32),
});
