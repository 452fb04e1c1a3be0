import { z } from 'zod';
import { epochMs, shortText, version } from './primitives';

/** Transaction id chosen by the cloud; the device answers with the same id. */
export const txId = z
  .string()
  .min(8)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be URL-safe');

const sha256 = z.string().regex(/^[a-f0-9]{64}$/, 'must be a lowercase hex sha256');

const commandBase = { v: version, txId, issuedAt: epochMs };

export const commandSchema = z.discriminatedUnion('name', [
  z.strictObject({ ...commandBase, name: z.literal('ping') }),
  z.strictObject({ ...commandBase, name: z.literal('restart') }),
  z.strictObject({
    ...commandBase,
    name: z.literal('model-update'),
    url: z.url({ protocol: /^https?$/ }).max(2048),
    sha256,
    modelId: shortText(64),
    version: shortText(32),
  }),
]);

export const responseSchema = z.strictObject({
  v: version,
  txId,
  ts: epochMs,
  /** What the response answers: a command name, or `config` for a config revision. */
  to: z.enum(['ping', 'restart', 'model-update', 'config']),
  ok: z.boolean(),
  error: z.string().max(500).optional(),
  result: z
    .record(z.string().max(64), z.union([z.string().max(256), z.number(), z.boolean(), z.null()]))
    .refine((r) => Object.keys(r).length <= 32, 'must have at most 32 entries')
    .optional(),
});

export type Command = z.infer<typeof commandSchema>;
export type CommandName = Command['name'];
export type CommandResponse = z.infer<typeof responseSchema>;
