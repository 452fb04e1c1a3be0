import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode, type Snapshot } from '@lectern/protocol';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RejectedSnapshotEntity, SnapshotEntity } from '../src';
import { dropPgSchema, openDatabase } from '../src/db/data-source';
import { snapshotRow, SnapshotWriter, type SnapshotRow } from '../src/ingest/snapshot-writer';
import { PG_URL } from './helpers/cloud';
import { nastyStrings, shouldRefuse } from './helpers/nasty-strings';
import { makeSnapshot } from './helpers/snapshots';
import { DB_TARGETS, announceSkip } from './helpers/targets';

/** The row ingestion makes of a snapshot. */
const rowOf = (s: Snapshot): SnapshotRow =>
  snapshotRow(s, { roomId: s.roomId, sessionId: null, receivedAt: Date.now() });

async function openTestDb(db: 'sqlite' | 'postgres'): Promise<{ ds: DataSource; close(): Promise<void> }> {
  if (db === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'lectern-text-'));
    const ds = await openDatabase(`sqlite:${join(dir, 'lectern.db')}`);
    return {
      ds,
      async close() {
        await ds.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `text_${randomBytes(6).toString('hex')}`;
  const u = new URL(PG_URL!);
  u.searchParams.set('schema', schema);
  const ds = await openDatabase(u.toString());
  return {
    ds,
    async close() {
      await ds.destroy();
      await dropPgSchema(PG_URL!, schema);
    },
  };
}

const NASTY = nastyStrings(64);

for (const t of DB_TARGETS) {
  announceSkip('text rules', t);
  describe.skipIf(t.skip)(`validation and storage agree on text (${t.db})`, () => {
    let db: Awaited<ReturnType<typeof openTestDb>>;
    beforeAll(async () => {
      db = await openTestDb(t.db);
    });
    afterAll(async () => {
      await db?.close();
    });

    it('refuses exactly the control characters and lone surrogates; stores everything else as sent', async () => {
      const writer = new SnapshotWriter(db.ds, () => {}, { maxDelayMs: 5 });
      const accepted: { seq: number; text: string }[] = [];
      let refused = 0;
      for (const [i, text] of NASTY.entries()) {
        // The device's JSON, as it would arrive over MQTT (lone surrogates become \\uXXXX escapes).
        const snap = {
          ...makeSnapshot('text-cam', 'text-room', i + 1, 1),
          model: { id: text, version: text.slice(0, 32) },
        };
        const r = decode('snapshot', Buffer.from(JSON.stringify(snap)));
        expect(r.ok, JSON.stringify(text)).toBe(!shouldRefuse(text));
        if (!r.ok) {
          refused++;
          expect(r.error).toMatch(/control characters|lone UTF-16 surrogates/);
          continue;
        }
        accepted.push({ seq: i + 1, text });
        await writer.enqueue(rowOf(r.value));
      }
      await writer.close();
      expect(refused).toBeGreaterThan(40);
      expect(accepted.length).toBeGreaterThan(15);
      // Storage refuses nothing validation accepted, and changes none of it.
      expect(writer.deadLettered).toBe(0);
      const rows = await db.ds.getRepository(SnapshotEntity).findBy({ deviceId: 'text-cam' });
      const byseq = new Map(rows.map((r) => [r.seq, r]));
      for (const a of accepted) {
        expect(byseq.get(a.seq)?.modelId, JSON.stringify(a.text)).toBe(a.text);
        expect(byseq.get(a.seq)?.modelVersion).toBe(a.text.slice(0, 32));
      }
      expect(rows).toHaveLength(accepted.length);
    });

    it('isolates rows the database refuses: innocent rows of the batch stored, the guilty dead-lettered', async () => {
      // Bypassing validation: what storage does with a row validation should have refused, or one the
      // database refuses for a reason nobody foresaw (NOT NULL here, on both databases).
      const writer = new SnapshotWriter(db.ds, () => {}, { maxDelayMs: 20 });
      const settled: Promise<void>[] = [];
      const poison = new Set<number>();
      for (let seq = 1; seq <= 200; seq++) {
        const row = rowOf(makeSnapshot(`iso-${seq % 4}`, 'iso-room', seq, 2));
        if (seq % 37 === 0) {
          (row as { modelId: string | null }).modelId = null;
          poison.add(seq);
        }
        settled.push(writer.enqueue(row));
      }
      await Promise.all(settled);
      await writer.close();
      const stored = await db.ds
        .getRepository(SnapshotEntity)
        .createQueryBuilder('s')
        .where('s.roomId = :r', { r: 'iso-room' })
        .getCount();
      expect(stored).toBe(200 - poison.size);
      expect(writer.deadLettered).toBe(poison.size);
      const dead = await db.ds.getRepository(RejectedSnapshotEntity).find({ order: { seq: 'ASC' } });
      expect(dead.map((d) => d.seq)).toEqual([...poison]);
      for (const d of dead) {
        expect(d.reason).toMatch(/SQLITE_CONSTRAINT|23502/);
        expect(d.payload).toContain('"modelId":null');
      }
    });
  });
}
