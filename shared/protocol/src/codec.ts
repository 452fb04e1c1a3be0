import { z } from 'zod';
import { TOPICS, type PayloadOf, type TopicKind } from './topics';

/** No legitimate payload comes near this; a larger one is rejected before it is parsed. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

export type DecodeResult<K extends TopicKind> = { ok: true; value: PayloadOf<K> } | { ok: false; error: string };

/** Validates a payload object against its topic's schema; the error is one readable line per problem. */
export function validate<K extends TopicKind>(kind: K, value: unknown): DecodeResult<K> {
  const result = TOPICS[kind].schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data as PayloadOf<K> };
  return { ok: false, error: `invalid ${kind} payload: ${z.prettifyError(result.error)}` };
}

/** Parses and validates a raw MQTT payload. Never throws. */
export function decode<K extends TopicKind>(kind: K, payload: Uint8Array | string): DecodeResult<K> {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > MAX_PAYLOAD_BYTES) {
    return { ok: false, error: `invalid ${kind} payload: ${size} bytes exceeds the ${MAX_PAYLOAD_BYTES}-byte limit` };
  }
  let value: unknown;
  try {
    value = JSON.parse(typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'));
  } catch (err) {
    return { ok: false, error: `invalid ${kind} payload: not JSON (${(err as Error).message})` };
  }
  return validate(kind, value);
}

/** Validates then serialises; throws on an invalid payload so a bug never reaches the wire. */
export function encode<K extends TopicKind>(kind: K, value: PayloadOf<K>): Buffer {
  const result = validate(kind, value);
  if (!result.ok) throw new Error(result.error);
  return Buffer.from(JSON.stringify(result.value));
}
