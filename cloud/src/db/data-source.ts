import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Client } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS } from './migrations';

export type Dialect = 'sqlite' | 'postgres';

export interface DbTarget {
  dialect: Dialect;
  /** SQLite file path, or the Postgres URL without our `schema` parameter. */
  location: string;
  /** Postgres schema to use (search_path), from `?schema=` in the URL; created if missing. */
  schema: string | null;
}

export function parseDbUrl(url: string): DbTarget {
  if (url.startsWith('sqlite:')) return { dialect: 'sqlite', location: url.slice('sqlite:'.length), schema: null };
  const u = new URL(url);
  const schema = u.searchParams.get('schema');
  u.searchParams.delete('schema');
  if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new Error(`invalid Postgres schema name "${schema}"`);
  return { dialect: 'postgres', location: u.toString(), schema };
}

export function dataSourceOptions(target: DbTarget, opts: { synchronize?: boolean } = {}): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    synchronize: opts.synchronize ?? false,
    migrationsRun: false,
    logging: false as const,
  };
  if (target.dialect === 'sqlite') {
    return {
      ...common,
      type: 'better-sqlite3',
      database: target.location,
      enableWAL: true,
      // NORMAL is durable across process crashes in WAL mode and much faster than FULL.
      prepareDatabase: (db: { pragma(s: string): unknown }) => {
        db.pragma('synchronous = NORMAL');
        db.pragma('busy_timeout = 5000');
      },
      migrations: SQLITE_MIGRATIONS,
    };
  }
  return {
    ...common,
    type: 'postgres',
    url: target.location,
    extra: target.schema ? { options: `-c search_path=${target.schema}`, max: 10 } : { max: 10 },
    migrations: POSTGRES_MIGRATIONS,
  };
}

/** Opens the database and applies pending migrations (never synchronize outside tests). */
export async function openDatabase(url: string): Promise<DataSource> {
  const target = parseDbUrl(url);
  const sqliteFile = target.dialect === 'sqlite' && target.location !== ':memory:' ? target.location : null;
  if (sqliteFile) mkdirSync(dirname(sqliteFile), { recursive: true, mode: 0o700 });
  if (target.schema) await ensurePgSchema(target.location, target.schema);
  const ds = new DataSource(dataSourceOptions(target));
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  // The database holds password hashes and every room's history: readable by the service user only.
  if (sqliteFile)
    for (const f of [sqliteFile, `${sqliteFile}-wal`, `${sqliteFile}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
  return ds;
}

export async function ensurePgSchema(url: string, schema: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } finally {
    await client.end();
  }
}

export async function dropPgSchema(url: string, schema: string): Promise<void> {
  const client = new Client({ connectionString: parseDbUrl(url).location });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
