import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { afterAll, describe, expect, it } from 'vitest';
import { AggregateEntity } from '../src';
import { dataSourceOptions, dropPgSchema, ensurePgSchema, openDatabase, parseDbUrl } from '../src/db/data-source';
import { PG_URL } from './helpers/cloud';
import { announceSkip, DB_TARGETS } from './helpers/targets';

const NAME = 'AggregateRead1764200000000';

/** A database migrated up to just before the read column, as a cloud of the previous release left it. */
async function openBeforeReadColumn(url: string): Promise<DataSource> {
  const target = parseDbUrl(url);
  if (target.schema) await ensurePgSchema(target.location, target.schema);
  const options = dataSourceOptions(target);
  const all = options.migrations as (new () => { name?: string })[];
  // Later migrations may follow this one: the database stops right before it.
  const index = all.findIndex((m) => new m().name === NAME);
  expect(index).toBeGreaterThan(0);
  const before = all.slice(0, index);
  const ds = new DataSource({ ...options, migrations: before });
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  return ds;
}

for (const target of DB_TARGETS) {
  announceSkip('the aggregate read migration', target);
  describe.skipIf(target.skip)(`aggregate read migration on ${target.db}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lectern-migrate-'));
    const schema = `m_${randomBytes(6).toString('hex')}`;
    const url =
      target.db === 'sqlite'
        ? `sqlite:${join(dir, 'old.db')}`
        : // A skipped describe still runs its body when tests are collected: no URL to build without PG_URL.
          !PG_URL
          ? ''
          : (() => {
              const u = new URL(PG_URL);
              u.searchParams.set('schema', schema);
              return u.toString();
            })();
    afterAll(async () => {
      rmSync(dir, { recursive: true, force: true });
      if (target.db === 'postgres' && PG_URL) await dropPgSchema(PG_URL, schema);
    });

    it('gives buckets stored before the readable-size gate read = faces, and new buckets their own read', async () => {
      const old = await openBeforeReadColumn(url);
      await old.query(
        `INSERT INTO "aggregate" ("roomId", "sessionId", "resolution", "ts", "faces", "peakFaces", "valence", "attention", "distribution", "samples") VALUES ('hall', NULL, '1s', 1000, 4.5, 5, 0.2, 0.8, '[0,0,0,1,0,0,0]', 4), ('hall', NULL, '1m', 0, 2, 3, NULL, 1, NULL, 60)`,
      );
      await old.destroy();

      const ds = await openDatabase(url);
      try {
        const repo = ds.getRepository(AggregateEntity);
        const rows = await repo.find({ where: { roomId: 'hall' }, order: { ts: 'ASC' } });
        expect(rows.map((r) => [r.resolution, r.faces, r.read, r.peakFaces, r.samples])).toEqual([
          ['1m', 2, 2, 3, 60],
          ['1s', 4.5, 4.5, 5, 4],
        ]);
        expect(rows[1]).toMatchObject({ valence: 0.2, attention: 0.8, distribution: '[0,0,0,1,0,0,0]' });
        await repo.insert({ ...rows[1]!, id: undefined, ts: 2000, read: 1.25 });
        expect((await repo.findOneByOrFail({ roomId: 'hall', ts: 2000 })).read).toBe(1.25);
        // Nothing left for TypeORM to change: the migration matches the entity.
        expect((await ds.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
      } finally {
        await ds.destroy();
      }
    });
  });
}
