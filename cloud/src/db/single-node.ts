import Database from 'better-sqlite3';
import type { DataSource, QueryRunner } from 'typeorm';
import { ConfigError } from '../config/cloud-config';
import { parseDbUrl } from './data-source';

/** Arbitrary first key of the node lock (PostgreSQL advisory locks take two 32-bit keys); the second is the schema's. */
const LOCK_CLASS = 0x4c45_4354; // "LECT"

/**
 * One cloud node per database unless the nodes share a broker. The embedded broker lives inside its node
 * (and ignores `$share`), so two nodes with embedded brokers would split the devices between them and each
 * show half of every room; SQLite has one writer on one machine. The lock is held by a connection (or a file
 * handle) of this process, so the operating system or the database frees it when the process dies, kill -9
 * included. Returns the release function.
 */
export async function acquireSingleNodeLock(
  dbUrl: string,
  ds: DataSource,
  mqttUrl: string | null,
): Promise<() => Promise<void>> {
  const target = parseDbUrl(dbUrl);
  if (target.dialect === 'sqlite') {
    if (target.location === ':memory:') return () => Promise.resolve();
    const file = `${target.location}.node-lock`;
    const db = new Database(file);
    try {
      db.pragma('busy_timeout = 0');
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('CREATE TABLE IF NOT EXISTS node (pid INTEGER)');
      db.exec('BEGIN EXCLUSIVE');
    } catch {
      db.close();
      throw new ConfigError(
        `another Lectern cloud is already running on ${target.location}. SQLite serves one node: to run several, ` +
          'set LECTERN_DB_URL to PostgreSQL and LECTERN_MQTT_URL to the broker (cluster) every node shares.',
      );
    }
    return () => {
      if (db.open) db.close();
      return Promise.resolve();
    };
  }
  if (mqttUrl !== null) return () => Promise.resolve(); // nodes share the external broker: several are fine
  const runner: QueryRunner = ds.createQueryRunner();
  await runner.connect();
  const rows = (await runner.query('SELECT pg_try_advisory_lock($1, hashtext(current_schema())) AS ok', [
    LOCK_CLASS,
  ])) as { ok: boolean }[];
  if (!rows[0]?.ok) {
    await runner.release();
    throw new ConfigError(
      'another Lectern cloud node with an embedded MQTT broker already runs against this database: devices would ' +
        'split between the two brokers. Set LECTERN_MQTT_URL on every node to the broker (cluster) they share.',
    );
  }
  return async () => {
    await runner
      .query('SELECT pg_advisory_unlock($1, hashtext(current_schema()))', [LOCK_CLASS])
      .catch(() => undefined);
    await runner.release();
  };
}
