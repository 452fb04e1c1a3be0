import { describe, expect, it } from 'vitest';
import {
  MAX_PAYLOAD_BYTES,
  MAX_TRACKS,
  TOPIC_KINDS,
  aggregateFaces,
  decode,
  encode,
  mergeAggregates,
  parseTopic,
  topicFilter,
  topicFor,
  validate,
} from '../src';
import { examples } from './examples';

describe('valid examples', () => {
  it.each(TOPIC_KINDS)('%s round-trips through encode/decode', (kind) => {
    const wire = encode(kind, examples[kind] as never);
    const back = decode(kind, wire);
    expect(back).toEqual({ ok: true, value: examples[kind] });
  });
});

describe('invalid snapshots fail with a readable error', () => {
  const base = examples.snapshot;
  const cases: [string, unknown, RegExp][] = [
    ['missing field', { ...base, seq: undefined }, /seq/],
    ['wrong type', { ...base, faces: 'two' }, /faces/],
    ['extra field', { ...base, operator: 'x' }, /operator/],
    ['extra field in a track', { ...base, tracks: [{ ...base.tracks[0], name: 'Alice' }] }, /name/],
    ['face crop field', { ...base, tracks: [{ ...base.tracks[0], crop: 'iVBORw0KGgo=' }] }, /crop/],
    [
      'oversized track array',
      { ...base, tracks: Array.from({ length: MAX_TRACKS + 1 }, () => base.tracks[0]) },
      /tracks/,
    ],
    [
      'pixel-like probability vector',
      { ...base, tracks: [{ ...base.tracks[0], p: new Array(48 * 48).fill(0.5) }] },
      /7 probabilities/,
    ],
    [
      'image smuggled in a string',
      { ...base, model: { id: 'data:image/png;base64,' + 'A'.repeat(4000), version: '1' } },
      /model\.id/,
    ],
    ['negative seq', { ...base, seq: -1 }, /seq/],
    ['probability above 1', { ...base, aggregate: { ...base.aggregate, attention: 1.5 } }, /attention/],
    ['identity-like device id', { ...base, deviceId: 'Prof. Jane Doe' }, /deviceId/],
  ];
  it.each(cases)('%s', (_name, payload, field) => {
    const result = validate('snapshot', payload);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toMatch(/^invalid snapshot payload: /);
      expect(result.error).toMatch(field);
    }
  });

  it('rejects non-JSON and oversized payloads without throwing', () => {
    expect(decode('snapshot', Buffer.from('{not json'))).toMatchObject({ ok: false, error: /not JSON/ });
    const big = Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 0x20);
    expect(decode('snapshot', big)).toMatchObject({ ok: false, error: /exceeds/ });
  });

  it('encode refuses an invalid payload', () => {
    expect(() => encode('snapshot', { ...base, faces: -1 })).toThrow(/faces/);
  });
});

describe('other topics reject unknown fields and bad values', () => {
  it('telemetry with an extra field', () => {
    expect(validate('telemetry', { ...examples.telemetry, frame: [1, 2, 3] }).ok).toBe(false);
  });
  it('config with an out-of-range rate', () => {
    expect(validate('config', { ...examples.config, snapshotHz: 100 })).toMatchObject({
      ok: false,
      error: /snapshotHz/,
    });
  });
  it('command with a bad sha256 or unknown name', () => {
    expect(validate('command', { ...examples.command, sha256: 'xyz' })).toMatchObject({ ok: false, error: /sha256/ });
    expect(validate('command', { ...examples.command, name: 'format-disk' }).ok).toBe(false);
  });
  it('status must be online or offline', () => {
    expect(validate('status', { ...examples.status, state: 'sleeping' }).ok).toBe(false);
  });
});

describe('topics', () => {
  it('builds and parses per-device topics under the versioned root', () => {
    expect(topicFor('snapshot', 'hall-a-cam-1')).toBe('lectern/v1/devices/hall-a-cam-1/snapshot');
    expect(parseTopic('lectern/v1/devices/hall-a-cam-1/status')).toEqual({ kind: 'status', deviceId: 'hall-a-cam-1' });
    expect(parseTopic('lectern/v2/devices/x/status')).toBeNull();
    expect(parseTopic('lectern/v1/devices/x/unknown')).toBeNull();
    expect(parseTopic('lectern/v1/devices/x/snapshot/extra')).toBeNull();
    expect(topicFilter('snapshot')).toBe('lectern/v1/devices/+/snapshot');
    expect(() => topicFor('snapshot', '../etc')).toThrow();
  });
});

describe('aggregation', () => {
  it('averages faces and weights devices by face count', () => {
    const happy = [0, 0, 0, 1, 0, 0, 0];
    const sad = [0, 0, 0, 0, 1, 0, 0];
    const a = aggregateFaces([
      { p: happy, frontal: true },
      { p: sad, frontal: false },
    ]);
    expect(a.distribution[3]).toBeCloseTo(0.5);
    expect(a.attention).toBe(0.5);
    expect(a.valence).toBeCloseTo(0.1);
    const merged = mergeAggregates([
      { faces: 2, aggregate: a },
      {
        faces: 2,
        aggregate: aggregateFaces([
          { p: happy, frontal: true },
          { p: happy, frontal: true },
        ]),
      },
    ]);
    expect(merged.faces).toBe(4);
    expect(merged.distribution[3]).toBeCloseTo(0.75);
    expect(merged.dominant).toBe('happy');
    expect(merged.attention).toBeCloseTo(0.75);
    expect(aggregateFaces([]).dominant).toBeNull();
  });
});
