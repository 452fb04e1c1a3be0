import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, LessThan } from 'typeorm';
import { CLOUD_CONFIG } from '../config/config.tokens';
import type { CloudConfig } from '../config/cloud-config';
import { AuditEntity, SnapshotEntity } from '../db/entities';

const DAY_MS = 86_400_000;

/**
 * Purges raw snapshots older than LECTERN_RETENTION_DAYS and audit rows older than
 * LECTERN_AUDIT_RETENTION_DAYS; aggregates and reports are kept.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger('Retention');

  constructor(
    private readonly ds: DataSource,
    @Inject(CLOUD_CONFIG) private readonly config: CloudConfig,
  ) {}

  /** Returns the number of snapshots purged (audit rows are purged in the same pass, see purgeAudit). */
  async purge(now = Date.now(), days = this.config.retentionDays): Promise<number> {
    const cutoff = now - days * DAY_MS;
    const r = await this.ds.getRepository(SnapshotEntity).delete({ receivedAt: LessThan(cutoff) });
    const n = r.affected ?? 0;
    if (n > 0) this.logger.log(`purged ${n} snapshots older than ${days} days`);
    await this.purgeAudit(now);
    return n;
  }

  /** Deletes audit rows older than `days` (LECTERN_AUDIT_RETENTION_DAYS, 180 by default). */
  async purgeAudit(now = Date.now(), days = this.config.auditRetentionDays): Promise<number> {
    const r = await this.ds.getRepository(AuditEntity).delete({ ts: LessThan(now - days * DAY_MS) });
    const n = r.affected ?? 0;
    if (n > 0) this.logger.log(`purged ${n} audit rows older than ${days} days`);
    return n;
  }
}
