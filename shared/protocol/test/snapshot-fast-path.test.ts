import { describe, expect, it } from 'vitest';
import { EMOTIONS, MAX_TRACKS, decode, isPlainValidSnapshot, snapshotSchema, type Snapshot } from '../src';
import { examples } from './examples';

/** zod is the source of truth: the fast path may only accept what zod accepts, and return the same value. */
function expectAgreement(value: unknown): 'both-accept' | 'both-reject' | 'zod-only' {
  const zod = snapshotSchema.safeParse(value);
  const fast = isPlainValidSnapshot(value);
  if (fast) {
    expect(zod.success, `fast path accepted what zod rejects: ${JSON.stringify(value)?.slice(0, 300)}`).toBe(true);
    expect(value).toEqual(zod.data);
    return 'both-accept';
  }
  return zod.success ? 'zod-only' : 'both-reject';
}

const clone = (): Snapshot => structuredClone(examples.snapshot);

function twelveFaces(): Snapshot {
  const s = clone();
  s.tracks = Array.from({ length: 12 }, (_, i) => ({
    id: i,
    p: [0.1, 0.1, 0.1, 0.4, 0.1, 0.1, 0.1],
    frontal: i % 2 === 0,
    ageS: i * 1.5,
  }));
  s.faces = 12;
  return s;
}

/** One variant per bound and type in snapshot.ts / primitives.ts, each on its own field. */
const invalid: [string, (s: Snapshot & Record<string, unknown>) => void][] = [
  ['v 2', (s) => (s.v = 2 as 1)],
  ['v "1"', (s) => (s.v = '1' as unknown as 1)],
  ['missing seq', (s) => delete (s as Partial<Snapshot>).seq],
  ['extra top-level key', (s) => (s.operator = 'x')],
  ['__proto__ key', (s) => Object.defineProperty(s, '__proto__', { value: {}, enumerable: true })],
  ['empty deviceId', (s) => (s.deviceId = '')],
  ['upper-case deviceId', (s) => (s.deviceId = 'Hall-A')],
  ['deviceId starting with -', (s) => (s.deviceId = '-a')],
  ['deviceId 65 chars', (s) => (s.deviceId = 'a'.repeat(65))],
  ['roomId with space', (s) => (s.roomId = 'hall a')],
  ['roomId number', (s) => (s.roomId = 5 as unknown as string)],
  ['negative seq', (s) => (s.seq = -1)],
  ['fractional seq', (s) => (s.seq = 1.5)],
  ['seq beyond safe integers', (s) => (s.seq = 2 ** 53)],
  ['seq string', (s) => (s.seq = '1' as unknown as number)],
  ['capturedAt negative', (s) => (s.capturedAt = -1)],
  ['capturedAt too large', (s) => (s.capturedAt = 8.64e15 + 1)],
  ['capturedAt fractional', (s) => (s.capturedAt = 1.5)],
  ['faces -1', (s) => (s.faces = -1)],
  ['faces above MAX_TRACKS', (s) => (s.faces = MAX_TRACKS + 1)],
  ['faces fractional', (s) => (s.faces = 2.5)],
  ['tracks not an array', (s) => (s.tracks = {} as unknown as Snapshot['tracks'])],
  ['too many tracks', (s) => (s.tracks = Array.from({ length: MAX_TRACKS + 1 }, () => s.tracks[0]!))],
  ['track null', (s) => (s.tracks = [null as unknown as Snapshot['tracks'][0]])],
  ['track extra key', (s) => Object.assign(s.tracks[0]!, { crop: 'iVBORw0KGgo=' })],
  ['track missing ageS', (s) => delete (s.tracks[0] as Partial<Snapshot['tracks'][0]>).ageS],
  ['track id negative', (s) => (s.tracks[0]!.id = -1)],
  ['track id 2^31', (s) => (s.tracks[0]!.id = 2 ** 31)],
  ['track id fractional', (s) => (s.tracks[0]!.id = 0.5)],
  ['track p 6 long', (s) => (s.tracks[0]!.p = [0.1, 0.1, 0.1, 0.1, 0.1, 0.5])],
  ['track p 8 long', (s) => (s.tracks[0]!.p = [0.1, 0.1, 0.1, 0.1, 0.1, 0.4, 0.1, 0.1])],
  ['track p above 1', (s) => (s.tracks[0]!.p[3] = 1.01)],
  ['track p negative', (s) => (s.tracks[0]!.p[0] = -0.01)],
  ['track p string', (s) => (s.tracks[0]!.p[1] = '0.1' as unknown as number)],
  ['track p object', (s) => (s.tracks[0]!.p = { length: 7 } as unknown as number[])],
  ['track frontal 1', (s) => (s.tracks[0]!.frontal = 1 as unknown as boolean)],
  ['track ageS negative', (s) => (s.tracks[0]!.ageS = -1)],
  ['track ageS too large', (s) => (s.tracks[0]!.ageS = 1e7 + 1)],
  ['aggregate array', (s) => (s.aggregate = [] as unknown as Snapshot['aggregate'])],
  ['aggregate extra key', (s) => Object.assign(s.aggregate, { x: 1 })],
  ['aggregate distribution short', (s) => (s.aggregate.distribution = [1])],
  ['aggregate distribution above 1', (s) => (s.aggregate.distribution[6] = 2)],
  ['aggregate dominant unknown', (s) => (s.aggregate.dominant = 'bored' as 'happy')],
  ['aggregate dominant inherited name', (s) => (s.aggregate.dominant = 'toString' as 'happy')],
  ['aggregate missing dominant', (s) => delete (s.aggregate as Partial<Snapshot['aggregate']>).dominant],
  ['aggregate valence below -1', (s) => (s.aggregate.valence = -1.01)],
  ['aggregate valence above 1', (s) => (s.aggregate.valence = 1.01)],
  ['aggregate attention above 1', (s) => (s.aggregate.attention = 1.5)],
  ['aggregate attention null', (s) => (s.aggregate.attention = null as unknown as number)],
  ['model null', (s) => (s.model = null as unknown as Snapshot['model'])],
  ['model extra key', (s) => Object.assign(s.model, { url: 'x' })],
  ['model id 65 chars', (s) => (s.model.id = 'm'.repeat(65))],
  ['model version 33 chars', (s) => (s.model.version = '1'.repeat(33))],
  ['model version number', (s) => (s.model.version = 1 as unknown as string)],
  ['emotionEnabled string', (s) => (s.emotionEnabled = 'true' as unknown as boolean)],
];

describe('snapshot fast path agrees with the zod schema', () => {
  it('accepts the valid examples and returns what zod returns, through decode too', () => {
    const valid: Snapshot[] = [clone(), twelveFaces()];
    const boundary = twelveFaces();
    boundary.tracks[0]!.id = 2 ** 31 - 1;
    boundary.tracks[1]!.ageS = 1e7;
    boundary.tracks[2]!.p = [0, 0, 0, 1, 0, 0, 0];
    Object.assign(boundary, { seq: Number.MAX_SAFE_INTEGER, capturedAt: 8.64e15, faces: MAX_TRACKS });
    Object.assign(boundary.aggregate, { dominant: null, valence: -1, attention: 0 });
    Object.assign(boundary.model, { id: 'm'.repeat(64), version: '' });
    boundary.deviceId = 'a'.repeat(64);
    valid.push(boundary);
    const noFaces = clone();
    Object.assign(noFaces, { faces: 0, tracks: [], emotionEnabled: false });
    valid.push(noFaces);
    for (const dominant of EMOTIONS) valid.push({ ...clone(), aggregate: { ...clone().aggregate, dominant } });
    for (const s of valid) {
      expect(expectAgreement(JSON.parse(JSON.stringify(s)))).toBe('both-accept');
      expect(decode('snapshot', JSON.stringify(s))).toEqual({ ok: true, value: s });
    }
  });

  it.each(invalid)('rejects %s, as zod does', (_name, mutate) => {
    const s = twelveFaces() as Snapshot & Record<string, unknown>;
    mutate(s);
    expect(expectAgreement(s)).toBe('both-reject');
  });

  it('every invalid variant still gets zod error text through decode', () => {
    for (const [name, mutate] of invalid) {
      const s = twelveFaces() as Snapshot & Record<string, unknown>;
      mutate(s);
      // JSON drops what JSON cannot carry (a deleted key stays deleted, __proto__ becomes an own key).
      const r = decode('snapshot', JSON.stringify(s));
      expect(r.ok, name).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/^invalid snapshot payload: /);
    }
  });

  it('never accepts more than zod on 5,000 random mutations of valid snapshots', () => {
    let seed = 42;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const values: unknown[] = [
      -1,
      -0.5,
      0,
      0.5,
      1,
      1.5,
      2 ** 31,
      1e7,
      1e20,
      -0,
      null,
      true,
      false,
      '',
      'x',
      'happy',
      'A',
      [],
      {},
      [0.1],
    ];
    const tally = { 'both-accept': 0, 'both-reject': 0, 'zod-only': 0 };
    for (let i = 0; i < 5000; i++) {
      const s = JSON.parse(JSON.stringify(twelveFaces())) as Record<string, unknown>;
      // Walk to a random object or array inside the snapshot and overwrite, add or delete one entry.
      let node: Record<string, unknown> = s;
      for (let depth = 0; depth < 3 && rand() < 0.6; depth++) {
        const child = node[pick(Object.keys(node))];
        if (typeof child !== 'object' || child === null) break;
        node = child as Record<string, unknown>;
      }
      const key = rand() < 0.1 ? 'extra' : pick(Object.keys(node));
      if (rand() < 0.1) delete node[key];
      else node[key] = pick(values);
      // Through JSON, as decode sees it (a named key on an array, for one, does not survive the wire).
      tally[expectAgreement(JSON.parse(JSON.stringify(s)))]++;
    }
    // Both sides were exercised: some mutations stay valid (e.g. a probability set to 0.5), most do not.
    expect(tally['both-accept']).toBeGreaterThan(100);
    expect(tally['both-reject']).toBeGreaterThan(1000);
    expect(tally['zod-only']).toBe(0);
  });
});
