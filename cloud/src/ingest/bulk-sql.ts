import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { DeviceEntity } from '../db/entities';

/** Postgres type per column type, for reading rows back out of the JSON parameter. */
const PG_TYPE: Record<string, string> = {
  varchar: 'text',
  text: 'text',
  bigint: 'bigint',
  integer: 'int',
  'double precision': 'float8',
  boolean: 'bool',
};

/** SQLite's default limit on bound parameters is 32766; 500 rows x 14 columns stays well under it. */
const SQLITE_ROWS_PER_STATEMENT = 500;

function tableOf(ds: DataSource, entity: EntityTarget<ObjectLiteral>): string {
  const meta = ds.getMetadata(entity);
  return meta.schema ? `${quote(meta.schema)}.${quote(meta.tableName)}` : quote(meta.tableName);
}

const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/**
 * A hand-written bulk INSERT for a hot path (snapshots, aggregates), built once from the entity metadata so
 * it follows the migrations' column names. TypeORM's query builder spends more CPU assembling a 500-row
 * INSERT than the database spends executing it; here SQLite gets cached prepared multi-row INSERTs and
 * Postgres one INSERT per batch whose only parameter is the rows as JSON: one native JSON.stringify instead
 * of node-postgres escaping every array element in JavaScript (which cost more CPU and garbage than the
 * rest of ingestion together).
 */
export class BulkInsert<Row extends object> {
  private readonly postgres: boolean;
  private readonly table: string;
  private readonly columns: { name: string; prop: keyof Row; type: string; json: boolean }[];
  private readonly pgInsert: string;
  private readonly sqliteInserts = new Map<number, string>();

  /**
   * `ignoreDuplicates`: rows violating a unique index are skipped instead of failing the batch.
   * `jsonProps`: text columns whose row value is a JSON value (array, object), stored as its JSON text.
   * Postgres then reads it straight out of the batch's JSON instead of unescaping a JSON string inside it.
   */
  constructor(
    ds: DataSource,
    entity: EntityTarget<ObjectLiteral>,
    private readonly ignoreDuplicates: boolean,
    jsonProps: readonly (keyof Row)[] = [],
  ) {
    this.postgres = ds.options.type === 'postgres';
    this.table = tableOf(ds, entity);
    this.columns = ds
      .getMetadata(entity)
      .columns.filter((c) => !c.isGenerated)
      .map((c) => {
        const prop = c.propertyName as keyof Row;
        return { name: c.databaseName, prop, type: String(c.type), json: jsonProps.includes(prop) };
      });
    for (const c of this.columns) {
      if (!PG_TYPE[c.type]) throw new Error(`bulk insert: no Postgres type for ${this.table}.${c.name} (${c.type})`);
    }
    const cols = this.columns.map((c) => quote(c.name)).join(', ');
    // JSON keys are the entity's property names; the record definition maps them to typed columns.
    const props = this.columns.map((c) => quote(String(c.prop)) + (c.json ? '::text' : '')).join(', ');
    const record = this.columns.map((c) => `${quote(String(c.prop))} ${c.json ? 'json' : PG_TYPE[c.type]}`).join(', ');
    this.pgInsert =
      `INSERT INTO ${this.table} (${cols}) SELECT ${props} FROM json_to_recordset($1::json) AS r(${record})` +
      (ignoreDuplicates ? ' ON CONFLICT DO NOTHING' : '');
  }

  async insert(em: EntityManager, rows: Row[]): Promise<void> {
    if (rows.length === 0) return;
    if (this.postgres) {
      await em.query(this.pgInsert, [JSON.stringify(rows)]);
      return;
    }
    for (let i = 0; i < rows.length;) {
      // Chunks of 500, then powers of two: a handful of distinct statements, all staying in the driver's
      // prepared-statement cache (FIFO, 100 entries) instead of evicting each other.
      const left = rows.length - i;
      const size = left >= SQLITE_ROWS_PER_STATEMENT ? SQLITE_ROWS_PER_STATEMENT : 2 ** Math.floor(Math.log2(left));
      const params: unknown[] = [];
      for (const r of rows.slice(i, i + size)) {
        for (const c of this.columns) {
          const v = r[c.prop];
          params.push(c.json ? JSON.stringify(v) : typeof v === 'boolean' ? (v ? 1 : 0) : v);
        }
      }
      await em.query(this.sqliteInsert(size), params);
      i += size;
    }
  }

  private sqliteInsert(rowCount: number): string {
    let sql = this.sqliteInserts.get(rowCount);
    if (!sql) {
      const one = `(${this.columns.map(() => '?').join(', ')})`;
      const cols = this.columns.map((c) => quote(c.name)).join(', ');
      // ON CONFLICT DO NOTHING skips only unique-index conflicts; INSERT OR IGNORE would also skip a row
      // breaking NOT NULL or CHECK, silently (and its message would be acknowledged as stored).
      sql =
        `INSERT INTO ${this.table} (${cols}) VALUES ${Array(rowCount).fill(one).join(', ')}` +
        (this.ignoreDuplicates ? ' ON CONFLICT DO NOTHING' : '');
      this.sqliteInserts.set(rowCount, sql);
    }
    return sql;
  }
}

/** Sets each device's lastSeen (epoch ms): one statement on Postgres, one cached statement per device on SQLite. */
export class DeviceLastSeen {
  private readonly postgres: boolean;
  private readonly table: string;
  private readonly column: string;

  constructor(ds: DataSource) {
    this.postgres = ds.options.type === 'postgres';
    this.table = tableOf(ds, DeviceEntity);
    const col = ds.getMetadata(DeviceEntity).findColumnWithPropertyName('lastSeen');
    if (!col) throw new Error('device entity has no lastSeen column');
    this.column = quote(col.databaseName);
  }

  async set(em: EntityManager, lastSeen: Map<string, number>): Promise<void> {
    if (lastSeen.size === 0) return;
    if (this.postgres) {
      await em.query(
        `UPDATE ${this.table} AS d SET ${this.column} = v.ts FROM unnest($1::text[], $2::bigint[]) AS v(id, ts) ` +
          `WHERE d."id" = v.id`,
        [[...lastSeen.keys()], [...lastSeen.values()]],
      );
      return;
    }
    const sql = `UPDATE ${this.table} SET ${this.column} = ? WHERE "id" = ?`;
    for (const [id, ts] of lastSeen) await em.query(sql, [ts, id]);
  }
}
