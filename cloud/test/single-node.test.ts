import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dropPgSchema } from '../src';
import { PG_URL, startTestCloud, type TestCloud } from './helpers/cloud';

/**
 * Issue 16 part 3: the embedded broker and SQLite serve one node. A second node on the same database is
 * refused at start with the setting to use, instead of silently splitting the devices between two brokers.
 */
describe('a second cloud node', () => {
  const clouds: TestCloud[] = [];
  const dirs: string[] = [];
  const schemas: string[] = [];
  afterAll(async () => {
    for (const c of clouds) await c.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    for (const s of schemas) await dropPgSchema(PG_URL!, s);
  });

  it('on the same SQLite file is refused, naming LECTERN_DB_URL and LECTERN_MQTT_URL; after a stop it may start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lectern-single-node-'));
    dirs.push(dataDir);
    const first = await startTestCloud({ dataDir });
    await expect(startTestCloud({ dataDir })).rejects.toThrow(
      /another Lectern cloud is already running on .*lectern\.db.*LECTERN_DB_URL to PostgreSQL and LECTERN_MQTT_URL/s,
    );
    // The refused node left the first one working.
    expect((await first.api('/api/health')).status).toBe(200);
    await first.stop();
    clouds.push(await startTestCloud({ dataDir }));
  });

  it.skipIf(!PG_URL)(
    'on the same PostgreSQL schema with an embedded broker is refused, naming LECTERN_MQTT_URL',
    async () => {
      const schema = `single_${Date.now().toString(36)}`;
      schemas.push(schema);
      const u = new URL(PG_URL!);
      u.searchParams.set('schema', schema);
      const env = { LECTERN_DB_URL: u.toString() };
      const first = await startTestCloud({ env });
      clouds.push(first);
      await expect(startTestCloud({ env })).rejects.toThrow(
        /embedded MQTT broker already runs against this database.*Set LECTERN_MQTT_URL/s,
      );
      expect((await first.api('/api/health')).status).toBe(200);
    },
  );
});
