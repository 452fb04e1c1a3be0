import { Logger } from '@nestjs/common';
import type { Track } from '@lectern/protocol';
import type { DataSource } from 'typeorm';
import { SnapshotEntity } from '../db/entities';
import { BulkInsert, DeviceLastSeen } from './bulk-sql';

/** A snapshot row before storage: tracks and distribution still as values, serialised once per batch. */
export type SnapshotRow = Omit<SnapshotEntity, 'id' | 'tracks' | 'distribution'> & {
  tracks: readonly Track[];
  distribution: readonly number[];
};

export interface WriterOptions {
  /** Flush when this many rows wait, or after `maxDelayMs`, whichever comes first. */
  batch: number;
  maxDelayMs: number;
  /** Above this many waiting rows, producers are told to wait (MQTT acks are withheld). */
  highWater: number;
}

const DEFAULTS: WriterOptions = { batch: 2000, maxDelayMs: 50, highWater: 20_000 };

/**
 * Batched, transactional snapshot inserts. Duplicate (deviceId, seq) rows are ignored by the unique
 * index, so an outbox replay or a QoS 1 redelivery is stored once.
 */
export class SnapshotWriter {
  private readonly logger = new Logger('SnapshotWriter');
  private readonly opts: WriterOptions;
  private pending: SnapshotRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private waiters: (() => void)[] = [];
  private closed = false;
  private readonly inserts: BulkInsert<SnapshotRow>;
  private readonly lastSeen: DeviceLastSeen;
  written = 0;
  failedBatches = 0;

  constructor(
    private readonly ds: DataSource,
    private readonly onWritten: (count: number) => void = () => {},
    opts: Partial<WriterOptions> = {},
  ) {
    this.opts = { ...DEFAULTS, ...opts };
    this.inserts = new BulkInsert<SnapshotRow>(ds, SnapshotEntity, true, ['tracks', 'distribution']);
    this.lastSeen = new DeviceLastSeen(ds);
  }

  get depth(): number {
    return this.pending.length;
  }

  /** Queues a row; returns a promise only when the caller should pause (back-pressure). */
  enqueue(row: SnapshotRow): Promise<void> | null {
    if (this.closed) throw new Error('snapshot writer is closed');
    this.pending.push(row);
    if (this.pending.length >= this.opts.batch) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.opts.maxDelayMs);
    if (this.pending.length < this.opts.highWater) return null;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.flushing) return; // the running flush picks up what is pending when it finishes
    this.flushing = this.flushLoop().finally(() => (this.flushing = null));
  }

  private async flushLoop(): Promise<void> {
    while (this.pending.length > 0) {
      const rows = this.pending;
      this.pending = [];
      await this.write(rows);
      if (this.pending.length < this.opts.highWater / 2) this.releaseWaiters();
    }
    this.releaseWaiters();
  }

  private releaseWaiters(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }

  private async write(rows: SnapshotRow[]): Promise<void> {
    try {
      await this.ds.transaction(async (em) => {
        await this.inserts.insert(em, rows);
        const lastSeen = new Map<string, number>();
        for (const r of rows) lastSeen.set(r.deviceId, Math.max(lastSeen.get(r.deviceId) ?? 0, r.receivedAt));
        await this.lastSeen.set(em, lastSeen);
      });
      this.written += rows.length;
      this.onWritten(rows.length);
    } catch (err) {
      // A failed batch is logged and counted; the broker already acknowledged it, the device outbox
      // cannot help, so losing it loudly beats blocking every other device behind it.
      this.failedBatches++;
      this.logger.error(`failed to store ${rows.length} snapshots: ${(err as Error).message}`);
    }
  }

  /** Resolves once everything queued so far is written. */
  async drain(): Promise<void> {
    while (this.pending.length > 0 || this.flushing) {
      this.kick();
      await this.flushing;
    }
  }

  async close(): Promise<void> {
    await this.drain();
    this.closed = true;
    this.releaseWaiters();
  }
}
