import { randomBytes } from 'node:crypto';
import { dropPgSchema, openDatabase, parseDbUrl } from './data-source';

/**
 * Migrates a fresh database, then asks TypeORM what synchronize would still change. Empty lists mean
 * entities and migrations agree. On Postgres a throwaway schema is used and dropped afterwards.
 */
export async function pendingSchemaChanges(url: string): Promise<{ up: string[]; down: string[] }> {
  const target = parseDbUrl(url);
  let effective = url;
  let schema: string | null = null;
  if (target.dialect === 'postgres') {
    schema = `drift_${randomBytes(6).toString('hex')}`;
    const u = new URL(target.location);
    u.searchParams.set('schema', schema);
    effective = u.toString();
  }
  const ds = await openDatabase(effective);
  try {
    const log = await ds.driver.createSchemaBuilder().log();
    return { up: log.upQueries.map((q) => q.query), down: log.downQueries.map((q) => q.query).reverse() };
  } finally {
    await ds.destroy();
    if (schema) await dropPgSchema(target.location, schema);
  }
}
