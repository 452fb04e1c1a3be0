import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, LessThan } from 'typeorm';
import { CLOUD_CONFIG } from '../config/config.tokens';
import type { CloudConfig } from '../config/cloud-config';
import { SnapshotEntity } from '../db/entities';

const DAY_MS = 86_400_000;

/** Purges raw snapshots older than LECTERN_RETENTION_DAYS; aggregates and reports are kept. */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger('Retention');

  constructor(
    private readonly ds: DataSource,
    @Inject(CLOUD_CONFIG) private readonly config: CloudConfig,
  ) {}

  async purge(now = Date.now(), days = this.config.retentionDays): Promise<number> {
    const cutoff = now - days * DAY_MS;
    const r = await this.ds.getRepository(SnapshotEntity).delete({ receivedAt: LessThan(cutoff) });
    const n = r.affected ?? 0;
    if (n > 0) this.logger.log(`purged ${n} snapshots older than ${days} days`);
    return n;
  }
}
