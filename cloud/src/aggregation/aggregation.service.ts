import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventBus } from '../common/event-bus';
import { AggregateEntity } from '../db/entities';
import { BulkInsert } from '../ingest/bulk-sql';
import { Bucketer, type AggregateRow } from './bucket';

/** Slack for device clocks and network delay before a silent bucket is closed. */
const CLOSE_GRACE_MS = 2000;

/** Per-room 1 s / 1 min aggregates from the live room state, written in batches. */
@Injectable()
export class AggregationService {
  private readonly logger = new Logger('Aggregation');
  private readonly rooms = new Map<string, Bucketer>();
  private pending: AggregateRow[] = [];
  private writing: Promise<void> | null = null;
  private inserts: BulkInsert<AggregateRow> | null = null;

  constructor(
    private readonly ds: DataSource,
    bus: EventBus,
  ) {
    bus.on('roomState', (s) => this.bucketer(s.roomId).add(s, s.sessionId));
  }

  private bucketer(roomId: string): Bucketer {
    let b = this.rooms.get(roomId);
    if (!b) this.rooms.set(roomId, (b = new Bucketer(roomId, (row) => this.pending.push(row))));
    return b;
  }

  /** Called every second: closes finished buckets and writes them. */
  async tick(now = Date.now()): Promise<void> {
    // Only rooms that went quiet: while samples keep coming, a new bucket closes the previous one. A device
    // replaying its outbox sends minutes-old samples, and closing their bucket by wall clock would split
    // one minute into several rows.
    for (const b of this.rooms.values()) {
      if (now - b.lastSampleAt >= CLOSE_GRACE_MS) b.closeBefore(now - CLOSE_GRACE_MS);
    }
    await this.write();
  }

  async write(rows: AggregateRow[] = []): Promise<void> {
    this.pending.push(...rows);
    while (this.writing) await this.writing;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.writing = this.insert(batch).finally(() => (this.writing = null));
    await this.writing;
  }

  private async insert(rows: AggregateRow[]): Promise<void> {
    try {
      this.inserts ??= new BulkInsert<AggregateRow>(this.ds, AggregateEntity, false);
      const inserts = this.inserts;
      await this.ds.transaction((em) => inserts.insert(em, rows));
    } catch (err) {
      this.logger.error(`failed to store ${rows.length} aggregates: ${(err as Error).message}`);
    }
  }

  /** Flushes everything, open buckets included (shutdown, tests). */
  async flushAll(): Promise<void> {
    for (const b of this.rooms.values()) b.closeAll();
    await this.write();
  }
}
