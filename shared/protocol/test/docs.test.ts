import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TOPIC_KINDS, validate, type TopicKind } from '../src';

const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'protocol.md'), 'utf8');
const blocks = [...doc.matchAll(/```json (\w+)\n([\s\S]*?)\n```/g)].map((m) => ({
  kind: m[1] as TopicKind,
  json: m[2]!,
}));

describe('docs/protocol.md', () => {
  it('documents every topic with an example', () => {
    expect(new Set(blocks.map((b) => b.kind))).toEqual(new Set(TOPIC_KINDS));
  });
  it.each(blocks)('the $kind example is a valid payload', ({ kind, json }) => {
    expect(validate(kind, JSON.parse(json))).toMatchObject({ ok: true });
  });
});
