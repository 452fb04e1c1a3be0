import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pendingSchemaChanges } from '../src';
import { PG_URL } from './helpers/cloud';

// CI check: entities and migrations must agree. If this fails, generate a migration with
// `npx tsx src/cli/generate-migration.ts sqlite|postgres [url] ClassName<timestamp>` and add it to db/migrations.
describe('entities vs migrations', () => {
  it('SQLite: a freshly migrated database needs no further schema change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lectern-drift-'));
    try {
      const { up } = await pendingSchemaChanges(`sqlite:${join(dir, 'drift.db')}`);
      expect(up, up.join('\n')).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  if (!PG_URL) console.warn('skipping the PostgreSQL drift check: LECTERN_TEST_PG_URL not set');
  it.skipIf(!PG_URL)('PostgreSQL: a freshly migrated schema needs no further schema change', async () => {
    const { up } = await pendingSchemaChanges(PG_URL!);
    expect(up, up.join('\n')).toEqual([]);
  });
});
