import { Logger } from '@nestjs/common';
import { epochOf, type Snapshot, type Track } from '@lectern/protocol';
import type { DataSource } from 'typeorm';
import { RejectedSnapshotEntity, SnapshotEntity } from '../db/entities';
import { BulkInsert, DeviceLastSeen } from './bulk-sql';
import { isDataError, describeError } from './db-errors';
import { wellFormed } from './text';

/** A snapshot row before storage: tracks and distribution still as values, serialised once per batch. */
export type SnapshotRow = Omit<SnapshotEntity, 'id' | 'tracks' | 'distribution'> & {
  tracks: readonly Track[];
  distribution: readonly number[];
};

/** The row a validated snapshot is stored as, once its room, session and arrival time are known. */
export function snapshotRow(
  s: Snapshot,
  at: { roomId: string; sessionId: string | null; receivedAt: number },
): SnapshotRow {
  return {
    deviceId: s.deviceId,
    roomId: at.roomId,
    sessionId: at.sessionId,
    epoch: epochOf(s),
    seq: s.seq,
    capturedAt: s.capturedAt,
    receivedAt: at.receivedAt,
    faces: s.faces,
    valence: s.aggregate.valence,
    attention: s.aggregate.attention,
    distribution: s.aggregate.distribution,
    tracks: s.tracks,
    emotionEnabled: s.emotionEnabled,
    modelId: s.model.id,
    modelVersion: s.model.version,
  };
}

export interface WriterOptions {
  /** Flush when this many rows wait, or after `maxDelayMs`, whichever comes first. */
  batch: number;
  maxDelayMs: number;
  /** Backoff between attempts while the database fails: from `retryMinMs`, doubling, capped at `retryMaxMs`. */
  retryMinMs: number;
  retryMaxMs: number;
  /**
   * Failed attempts with an error of no known class (neither a data error nor obviously transient) before the
   * batch is split anyway, provided the database answers a probe: a row the database refuses for a reason
   * nobody foresaw must not hold every device's acknowledgements forever.
   */
  unknownErrorAttempts: number;
  /** On close, how long to keep retrying a failing database before giving up (pending acks are then refused). */
  closeTimeoutMs: number;
}

const DEFAULTS: WriterOptions = {
  batch: 2000,
  maxDelayMs: 50,
  retryMinMs: 100,
  retryMaxMs: 5000,
  unknownErrorAttempts: 3,
  closeTimeoutMs: 5000,
};

/** Longest stored excerpt of a dead-lettered row, and of its reason. */
const EXCERPT_CHARS = 1000;
const REASON_CHARS = 300;

interface Item {
  row: SnapshotRow;
  settle: (err?: Error) => void;
}

export interface WriterCounters {
  /** Rows committed (duplicates ignored by the unique index included). */
  written: number;
  /** Attempts that failed (transient or not); each was retried or split, none dropped. */
  failedBatches: number;
  /** Rows the database refused on their own, stored in `rejected_snapshot` and acknowledged. */
  deadLettered: number;
}

/**
 * Batched, transactional snapshot inserts that settle each row's promise only once it is durable: committed
 * (duplicate (deviceId, seq) rows are ignored by the unique index, so an outbox replay or a QoS 1 redelivery
 * is stored once), or, for a row the database refuses on its own, recorded in `rejected_snapshot` with the
 * reason. The MQTT side acknowledges a QoS 1 snapshot when its promise resolves, so an acknowledged snapshot
 * is never lost:
 * - a batch that fails for want of a database (outage, lock, lost connection) is retried with backoff, its
 *   acknowledgements held back meanwhile (devices keep the snapshots in their outbox, brokers redeliver);
 * - a batch that fails on its data is split in halves until the guilty rows stand alone; innocent rows, of
 *   other devices too, are stored, and each guilty row is dead-lettered and counted with its reason.
 */
export class SnapshotWriter implements WriterCounters {
  private readonly logger = new Logger('SnapshotWriter');
  private readonly opts: WriterOptions;
  private pending: Item[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private closing = false;
  private closed = false;
  private giveUpAt = Infinity;
  private lastErrorLog = 0;
  private readonly inserts: BulkInsert<SnapshotRow>;
  private readonly lastSeen: DeviceLastSeen;
  written = 0;
  failedBatches = 0;
  deadLettered = 0;

  constructor(
    private readonly ds: DataSource,
    private readonly onWritten: (count: number) => void = () => {},
    opts: Partial<WriterOptions> = {},
    private readonly onDeadLetter: (reason: string) => void = () => {},
  ) {
    this.opts = { ...DEFAULTS, ...opts };
    this.inserts = new BulkInsert<SnapshotRow>(ds, SnapshotEntity, true, ['tracks', 'distribution']);
    this.lastSeen = new DeviceLastSeen(ds);
  }

  /** Rows waiting for or inside a write (their acknowledgements are held). */
  get depth(): number {
    return this.pending.length + this.inFlight;
  }
  private inFlight = 0;

  /**
   * Queues a row. The promise resolves once the row is durable (committed, a duplicate, or dead-lettered):
   * only then may the message be acknowledged. It rejects if the writer shuts down first with the database
   * still failing: the message must then not be acknowledged (the broker or the device sends it again).
   */
  enqueue(row: SnapshotRow): Promise<void> {
    if (this.closed || this.closing) return Promise.reject(new Error('snapshot writer is closed'));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ row, settle: (err) => (err ? reject(err) : resolve()) });
      if (this.pending.length >= this.opts.batch) this.kick();
      else this.timer ??= setTimeout(() => this.kick(), this.opts.maxDelayMs);
    });
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.flushing) return; // the running flush picks up what is pending when it finishes
    this.flushing = this.flushLoop().finally(() => (this.flushing = null));
  }

  private async flushLoop(): Promise<void> {
    while (this.pending.length > 0) {
      const items = this.pending.splice(0, this.opts.batch);
      this.inFlight = items.length;
      try {
        await this.store(items);
      } finally {
        this.inFlight = 0;
      }
    }
  }

  /** Settles every item: committed, dead-lettered, or (shutdown with the database down) refused. */
  private async store(items: Item[]): Promise<void> {
    let delay = this.opts.retryMinMs;
    for (let attempt = 1; ; attempt++) {
      const err = await this.tryWrite(items);
      if (!err) {
        this.written += items.length;
        this.onWritten(items.length);
        for (const i of items) i.settle();
        return;
      }
      this.failedBatches++;
      const data = isDataError(err) || (attempt >= this.opts.unknownErrorAttempts && (await this.databaseAnswers()));
      if (data) {
        if (items.length === 1) return this.deadLetter(items[0]!, describeError(err), reasonClass(err));
        // Halves, in order: the guilty rows end up alone, the innocent ones are stored with their half.
        const mid = items.length >> 1;
        await this.store(items.slice(0, mid));
        await this.store(items.slice(mid));
        return;
      }
      this.logThrottled(
        `failed to store ${items.length} snapshots (attempt ${attempt}, retrying): ${describeError(err)}`,
      );
      if (Date.now() >= this.giveUpAt) {
        const refusal = new Error(`snapshot writer closed with the database failing: ${describeError(err)}`);
        for (const i of items) i.settle(refusal);
        return;
      }
      await sleep(Math.min(delay, Math.max(0, this.giveUpAt - Date.now())));
      delay = Math.min(delay * 2, this.opts.retryMaxMs);
    }
  }

  private async tryWrite(items: Item[]): Promise<Error | null> {
    const rows = items.map((i) => i.row);
    try {
      await this.ds.transaction(async (em) => {
        await this.inserts.insert(em, rows);
        const lastSeen = new Map<string, number>();
        for (const r of rows) lastSeen.set(r.deviceId, Math.max(lastSeen.get(r.deviceId) ?? 0, r.receivedAt));
        await this.lastSeen.set(em, lastSeen);
      });
      return null;
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  }

  private async databaseAnswers(): Promise<boolean> {
    try {
      await this.ds.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Dead-letters a row ingestion refuses before storage (its clock or seq cannot be right): recorded in
   * `rejected_snapshot` with `reason` and counted under `counted`; resolves once recorded, like `enqueue`.
   */
  refuse(row: SnapshotRow, counted: string, reason: string): Promise<void> {
    if (this.closed || this.closing) return Promise.reject(new Error('snapshot writer is closed'));
    return new Promise<void>((resolve, reject) => {
      void this.deadLetter({ row, settle: (err) => (err ? reject(err) : resolve()) }, reason, counted);
    });
  }

  /**
   * Records a row that cannot be stored (the database refuses it on its own, or ingestion does), with the
   * reason and an excerpt of the row, so that its message can be acknowledged: the device would otherwise
   * resend it forever. Retried like a batch while the database is unreachable.
   */
  private async deadLetter(item: Item, why: string, counted: string): Promise<void> {
    const { row } = item;
    const reason = wellFormed(why).slice(0, REASON_CHARS);
    // JSON escapes control characters and lone surrogates; the cut may split a pair, hence wellFormed after it.
    const excerpt = wellFormed(JSON.stringify(row).slice(0, EXCERPT_CHARS));
    let delay = this.opts.retryMinMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.ds.getRepository(RejectedSnapshotEntity).insert({
          deviceId: wellFormed(row.deviceId).slice(0, 64),
          seq: Number.isSafeInteger(row.seq) ? row.seq : -1,
          reason,
          payload: excerpt,
          rejectedAt: Date.now(),
        });
        break;
      } catch (err) {
        this.failedBatches++;
        if (isDataError(err) || Date.now() >= this.giveUpAt) {
          // Cannot even be recorded: refuse the ack rather than lose it silently.
          this.logger.error(`could not dead-letter ${row.deviceId}#${row.seq}: ${describeError(err)}`);
          item.settle(new Error(`snapshot ${row.deviceId}#${row.seq} could not be stored nor dead-lettered`));
          return;
        }
        await sleep(Math.min(delay, Math.max(0, this.giveUpAt - Date.now())));
        delay = Math.min(delay * 2, this.opts.retryMaxMs);
      }
    }
    this.deadLettered++;
    this.onDeadLetter(counted);
    this.logThrottled(`snapshot ${row.deviceId}#${row.seq} dead-lettered: ${reason}`);
    item.settle();
  }

  private logThrottled(message: string): void {
    const now = Date.now();
    if (now - this.lastErrorLog < 1000) return;
    this.lastErrorLog = now;
    this.logger.error(message);
  }

  /** Resolves once everything queued so far is settled. */
  async drain(): Promise<void> {
    while (this.pending.length > 0 || this.flushing) {
      this.kick();
      await this.flushing;
    }
  }

  /**
   * Stops taking rows and settles the queued ones, retrying a failing database for at most `closeTimeoutMs`;
   * rows still not durable then are refused (their messages stay unacknowledged, so they are sent again).
   */
  async close(): Promise<void> {
    this.closing = true;
    this.giveUpAt = Date.now() + this.opts.closeTimeoutMs;
    await this.drain();
    this.closed = true;
  }
}

/** The short reason a dead-lettered row is counted under (metrics label): the database's error class. */
function reasonClass(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? `unstorable-${code}` : 'unstorable';
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
