import { randomInt } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_EPOCH } from '@lectern/protocol';
import Database from 'better-sqlite3';

export interface OutboxLimits {
  /** Keep at most this many unsent snapshots (about 1 day at 1 Hz by default). */
  maxMessages: number;
  /** Drop unsent snapshots older than this. */
  maxAgeS: number;
}

export const DEFAULT_OUTBOX_LIMITS: OutboxLimits = { maxMessages: 100_000, maxAgeS: 7 * 24 * 3600 };

export interface OutboxEntry {
  seq: number;
  topic: string;
  payload: Buffer;
  createdAt: number;
}

/**
 * Durable outbox, seq counter and sequence epoch in one SQLite file (WAL, synchronous=FULL: every enqueue is fsynced
 * before it returns, so a snapshot survives kill -9 and power loss once `enqueue` came back).
 * Rows leave only on PUBACK (`ack`) or through the explicit drop-oldest policy, which counts them.
 */
export class Outbox {
  private readonly db: Database.Database;
  private readonly stmts;
  /**
   * Drawn once, with the seq counter, and kept as long as this file lives: a re-imaged device or a wiped
   * data directory starts a new epoch, so the cloud stores its seq 0, 1, ... again instead of taking them for
   * replays of what the old counter sent.
   */
  readonly epoch: number;

  constructor(
    dataDir: string,
    private readonly limits: OutboxLimits = DEFAULT_OUTBOX_LIMITS,
  ) {
    const file = join(dataDir, 'outbox.sqlite');
    try {
      mkdirSync(dataDir, { recursive: true });
      this.db = new Database(file);
    } catch (err) {
      throw new Error(
        `cannot open the outbox ${file} (dataDir must be writable and survive reboots): ${(err as Error).message}`,
      );
    }
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY, topic TEXT NOT NULL, payload BLOB NOT NULL, created_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
      INSERT OR IGNORE INTO meta (key, value) VALUES ('next_seq', 0), ('dropped', 0);
    `);
    // Outboxes from before epochs get one on their first open; their seqs go on increasing, so nothing clashes.
    this.db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('epoch', ?)").run(randomInt(1, MAX_EPOCH + 1));
    this.stmts = {
      getMeta: this.db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: this.db.prepare<[number, string]>('UPDATE meta SET value = ? WHERE key = ?'),
      addMeta: this.db.prepare<[number, string]>('UPDATE meta SET value = value + ? WHERE key = ?'),
      insert: this.db.prepare<[number, string, Buffer, number]>(
        'INSERT INTO outbox (seq, topic, payload, created_at) VALUES (?, ?, ?, ?)',
      ),
      remove: this.db.prepare<[number]>('DELETE FROM outbox WHERE seq = ?'),
      count: this.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM outbox'),
      dropOld: this.db.prepare<[number]>('DELETE FROM outbox WHERE created_at < ?'),
      dropOverflow: this.db.prepare<[number]>(
        'DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox ORDER BY seq ASC LIMIT ?)',
      ),
      oldest: this.db.prepare<[number, number], { seq: number; topic: string; payload: Buffer; created_at: number }>(
        'SELECT seq, topic, payload, created_at FROM outbox WHERE seq > ? ORDER BY seq ASC LIMIT ?',
      ),
    };
    this.epoch = this.stmts.getMeta.get('epoch')!.value;
  }

  /** The seq the next snapshot will get; it never goes backwards, across restarts included. */
  nextSeq(): number {
    return this.stmts.getMeta.get('next_seq')!.value;
  }

  /** Assigns the next seq, builds the payload with it and persists both atomically. */
  enqueue(build: (seq: number) => { topic: string; payload: Buffer }, now = Date.now()): number {
    return this.db.transaction(() => {
      const seq = this.nextSeq();
      const { topic, payload } = build(seq);
      this.stmts.insert.run(seq, topic, payload, now);
      this.stmts.setMeta.run(seq + 1, 'next_seq');
      this.enforceLimits(now);
      return seq;
    })();
  }

  private enforceLimits(now: number): void {
    let dropped = this.stmts.dropOld.run(now - this.limits.maxAgeS * 1000).changes;
    const overflow = this.stmts.count.get()!.n - this.limits.maxMessages;
    if (overflow > 0) dropped += this.stmts.dropOverflow.run(overflow).changes;
    if (dropped > 0) this.stmts.addMeta.run(dropped, 'dropped');
  }

  /** Oldest pending entries with seq > afterSeq, in seq order. */
  pending(afterSeq: number, limit: number): OutboxEntry[] {
    return this.stmts.oldest
      .all(afterSeq, limit)
      .map((r) => ({ seq: r.seq, topic: r.topic, payload: r.payload, createdAt: r.created_at }));
  }

  ack(seq: number): void {
    this.stmts.remove.run(seq);
  }

  depth(): number {
    return this.stmts.count.get()!.n;
  }

  /** Snapshots dropped by the size/age policy since the outbox was created. */
  dropped(): number {
    return this.stmts.getMeta.get('dropped')!.value;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
