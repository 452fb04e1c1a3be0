import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_EPOCH } from '@lectern/protocol';
import { Outbox } from '../src';

const entry = (seq: number) => ({ topic: 't', payload: Buffer.from(`snapshot ${seq}`) });

describe('Outbox (real SQLite file)', () => {
  it('keeps seq increasing and unsent rows across a reopen', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lectern-outbox-'));
    const a = new Outbox(dir);
    for (let i = 0; i < 5; i++) a.enqueue(entry);
    a.ack(0);
    a.ack(2);
    a.close();
    const b = new Outbox(dir);
    expect(b.nextSeq()).toBe(5);
    expect(b.pending(-1, 10).map((e) => e.seq)).toEqual([1, 3, 4]);
    expect(b.pending(3, 10).map((e) => e.payload.toString())).toEqual(['snapshot 4']);
    // Acknowledging everything leaves an empty outbox but never reuses a seq.
    for (const e of b.pending(-1, 10)) b.ack(e.seq);
    expect(b.enqueue(entry)).toBe(5);
    b.close();
  });

  it('keeps its sequence epoch across reopens; a wiped data directory (a re-image) draws a new one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lectern-outbox-'));
    const a = new Outbox(dir);
    a.enqueue(entry);
    const epoch = a.epoch;
    expect(Number.isInteger(epoch) && epoch >= 1 && epoch <= MAX_EPOCH).toBe(true);
    a.close();
    const b = new Outbox(dir);
    expect(b.epoch).toBe(epoch);
    b.close();
    const reimaged = new Outbox(await mkdtemp(join(tmpdir(), 'lectern-outbox-')));
    expect(reimaged.nextSeq()).toBe(0);
    expect(reimaged.epoch).not.toBe(epoch);
    reimaged.close();
  });

  it('drops the oldest rows beyond maxMessages and counts them', async () => {
    const box = new Outbox(await mkdtemp(join(tmpdir(), 'lectern-outbox-')), { maxMessages: 10, maxAgeS: 3600 });
    for (let i = 0; i < 25; i++) box.enqueue(entry);
    expect(box.depth()).toBe(10);
    expect(box.dropped()).toBe(15);
    expect(box.pending(-1, 100).map((e) => e.seq)).toEqual([15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
    box.close();
  });

  it('drops rows older than maxAgeS and counts them', async () => {
    const box = new Outbox(await mkdtemp(join(tmpdir(), 'lectern-outbox-')), { maxMessages: 1000, maxAgeS: 60 });
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < 5; i++) box.enqueue(entry, t0 + i * 1000);
    box.enqueue(entry, t0 + 63_500);
    expect(box.pending(-1, 100).map((e) => e.seq)).toEqual([4, 5]);
    expect(box.dropped()).toBe(4);
    box.close();
  });
});
