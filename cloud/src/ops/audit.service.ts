import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth-user';
import { AuditEntity } from '../db/entities';

/** Who viewed or exported what; a failed audit write is logged, never fails the request. */
@Injectable()
export class AuditService {
  private readonly logger = new Logger('Audit');

  constructor(private readonly ds: DataSource) {}

  async record(user: AuthUser | null, action: string, target: string, detail?: unknown): Promise<void> {
    try {
      await this.ds.getRepository(AuditEntity).insert({
        ts: Date.now(),
        userId: user?.id ?? null,
        username: user?.username ?? 'system',
        action,
        target: target.slice(0, 200),
        detail: detail === undefined ? null : JSON.stringify(detail),
      });
    } catch (err) {
      this.logger.error(`audit write failed (${action} ${target}): ${(err as Error).message}`);
    }
  }

  async list(limit = 200): Promise<AuditEntity[]> {
    return this.ds.getRepository(AuditEntity).find({ order: { id: 'DESC' }, take: limit });
  }
}
