import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/data-source';

const dir = mkdtempSync(join(tmpdir(), 'lectern-data-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('data files', () => {
  it('creates the SQLite database readable by its owner only', async () => {
    const file = join(dir, 'state', 'lectern.db');
    const ds = await openDatabase(`sqlite:${file}`);
    try {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'state')).mode & 0o077).toBe(0);
    } finally {
      await ds.destroy();
    }
  });
});
