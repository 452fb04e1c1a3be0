import { z } from 'zod';
import { EMOTION_COUNT, EMOTIONS } from './emotions';
import { textProblem } from './primitives';
import { MAX_EPOCH, MAX_TRACKS, type Snapshot } from './snapshot';
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
    value = JSON.parse(textOf(payload));
  } catch (err) {
    return { ok: false, error: `invalid ${kind} payload: not JSON (${(err as Error).message})` };
  }
  // Snapshots are the hot path (thousands a second): a hand-written check accepts the common, valid case
  // without zod's per-field overhead. It only ever accepts what the zod schema accepts (tested on valid
  // examples, every invalid variant and random mutations); anything it does not accept goes to zod, which
  // stays the source of truth and writes the error message.
  if (kind === 'snapshot' && isPlainValidSnapshot(value)) return { ok: true, value: value as PayloadOf<K> };
  return validate(kind, value);
}

/** UTF-8 text of a payload without copying it first (Buffer.from(Uint8Array) would). */
function textOf(payload: Uint8Array | string): string {
  if (typeof payload === 'string') return payload;
  if (Buffer.isBuffer(payload)) return payload.toString('utf8');
  return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
}

/** Validates then serialises; throws on an invalid payload so a bug never reaches the wire. */
export function encode<K extends TopicKind>(kind: K, value: PayloadOf<K>): Buffer {
  const result = validate(kind, value);
  if (!result.ok) throw new Error(result.error);
  return Buffer.from(JSON.stringify(result.value));
}

// ---- Snapshot fast path: a strict subset of snapshotSchema, for values straight out of JSON.parse ----

const SLUG = /^[a-z0-9][a-z0-9_-]*$/;
const EMOTION_SET: ReadonlySet<unknown> = new Set(EMOTIONS);

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Exactly these keys, plus any of `optional` (strictObject): JSON objects have no inherited or
 * undefined-valued keys.
 */
function hasExactKeys(o: Obj, keys: readonly string[], optional: readonly string[] = []): boolean {
  let n = 0;
  for (const k in o) {
    if (!Object.hasOwn(o, k)) return false;
    n++;
  }
  for (const k of optional) if (Object.hasOwn(o, k)) n--;
  if (n !== keys.length) return false;
  for (const k of keys) if (!Object.hasOwn(o, k)) return false;
  return true;
}

const inRange = (v: unknown, min: number, max: number): boolean =>
  typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;

const intInRange = (v: unknown, min: number, max: number): boolean =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;

const isSlug = (v: unknown): boolean => typeof v === 'string' && v.length <= 64 && SLUG.test(v);

const shortText = (v: unknown, max: number): boolean =>
  typeof v === 'string' && v.length <= max && textProblem(v) === null;

function isEmotionVector(v: unknown): boolean {
  if (!Array.isArray(v) || v.length !== EMOTION_COUNT) return false;
  for (let i = 0; i < EMOTION_COUNT; i++) if (!inRange(v[i], 0, 1)) return false;
  return true;
}

const SNAPSHOT_KEYS = [
  'v',
  'deviceId',
  'roomId',
  'seq',
  'capturedAt',
  'faces',
  'tracks',
  'aggregate',
  'model',
  'emotionEnabled',
] as const;
/** Optional snapshot keys (agents older than epochs or the readable-size gate leave them out). */
const SNAPSHOT_OPTIONAL_KEYS = ['epoch', 'reading'] as const;
const READING_KEYS = ['read', 'tooSmall', 'minReadablePx'] as const;
const TRACK_KEYS = ['id', 'p', 'frontal', 'ageS'] as const;
const AGGREGATE_KEYS = ['distribution', 'dominant', 'valence', 'attention'] as const;
const MODEL_KEYS = ['id', 'version'] as const;

/** `reading` as readingSchema and the snapshot's refinement accept it: read + tooSmall <= faces. */
function isReading(r: unknown, faces: unknown): boolean {
  return (
    isObject(r) &&
    hasExactKeys(r, READING_KEYS) &&
    intInRange(r.read, 0, Number.MAX_SAFE_INTEGER) &&
    intInRange(r.tooSmall, 0, Number.MAX_SAFE_INTEGER) &&
    intInRange(r.minReadablePx, 1, 2000) &&
    typeof faces === 'number' &&
    (r.read as number) + (r.tooSmall as number) <= faces
  );
}

function isTrack(t: unknown): boolean {
  return (
    isObject(t) &&
    hasExactKeys(t, TRACK_KEYS) &&
    intInRange(t.id, 0, 2 ** 31 - 1) &&
    isEmotionVector(t.p) &&
    typeof t.frontal === 'boolean' &&
    inRange(t.ageS, 0, 1e7)
  );
}

/**
 * True only for a value snapshotSchema accepts unchanged (same bounds as snapshot.ts and primitives.ts).
 * False means "ask zod", not necessarily "invalid".
 */
export function isPlainValidSnapshot(s: unknown): s is Snapshot {
  if (!isObject(s) || !hasExactKeys(s, SNAPSHOT_KEYS, SNAPSHOT_OPTIONAL_KEYS)) return false;
  if (s.v !== 1 || !isSlug(s.deviceId) || !isSlug(s.roomId)) return false;
  if (Object.hasOwn(s, 'epoch') && !intInRange(s.epoch, 1, MAX_EPOCH)) return false;
  if (Object.hasOwn(s, 'reading') && !isReading(s.reading, s.faces)) return false;
  if (!intInRange(s.seq, 0, Number.MAX_SAFE_INTEGER) || !intInRange(s.capturedAt, 0, 8.64e15)) return false;
  if (!intInRange(s.faces, 0, MAX_TRACKS) || typeof s.emotionEnabled !== 'boolean') return false;
  const tracks = s.tracks;
  if (!Array.isArray(tracks) || tracks.length > MAX_TRACKS) return false;
  for (const t of tracks) if (!isTrack(t)) return false;
  const a = s.aggregate;
  if (!isObject(a) || !hasExactKeys(a, AGGREGATE_KEYS) || !isEmotionVector(a.distribution)) return false;
  if (!(a.dominant === null || EMOTION_SET.has(a.dominant))) return false;
  if (!inRange(a.valence, -1, 1) || !inRange(a.attention, 0, 1)) return false;
  const m = s.model;
  return isObject(m) && hasExactKeys(m, MODEL_KEYS) && shortText(m.id, 64) && shortText(m.version, 32);
}
