import { Injectable, Logger } from '@nestjs/common';
import { Between, DataSource, Like, type FindOptionsWhere } from 'typeorm';
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

  /** Newest first; every filter optional: exact user name, action prefix ("session." finds all of them), time range. */
  async list(filter: AuditFilter = {}): Promise<AuditEntity[]> {
    const where: FindOptionsWhere<AuditEntity> = {};
    if (filter.username) where.username = filter.username;
    // Callers pass letters, digits, dots and dashes only (no LIKE wildcards), see AuditController.
    if (filter.action) where.action = Like(`${filter.action}%`);
    if (filter.target) where.target = filter.target;
    if (filter.from !== undefined || filter.to !== undefined) {
      where.ts = Between(filter.from ?? 0, filter.to ?? Number.MAX_SAFE_INTEGER);
    }
    return this.ds.getRepository(AuditEntity).find({ where, order: { id: 'DESC' }, take: filter.limit ?? 200 });
  }
}

export interface AuditFilter {
  limit?: number;
  username?: string;
  action?: string;
  target?: string;
  from?: number;
  to?: number;
}
