import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetentionService } from '../src';
import { AuditEntity } from '../src/db/entities';
import { startTestCloud, type TestCloud } from './helpers/cloud';

const DAY = 86_400_000;

// Issue 12: the audit log grew without bound (2,000 live-stream opens wrote 2,004 rows, kept forever).
describe('audit retention', () => {
  let cloud: TestCloud;
  beforeAll(async () => {
    cloud = await startTestCloud({ env: { LECTERN_AUDIT_RETENTION_DAYS: '10' } });
  });
  afterAll(async () => {
    await cloud?.stop();
  });

  it('deletes audit rows older than LECTERN_AUDIT_RETENTION_DAYS in the retention pass', async () => {
    const repo = cloud.app.get(DataSource).getRepository(AuditEntity);
    const now = Date.now();
    const row = (ageDays: number, target: string) => ({
      ts: now - ageDays * DAY,
      userId: null,
      username: 'system',
      action: 'test.audit',
      target,
      detail: null,
    });
    await repo.insert([row(400, 'a-400'), row(11, 'a-11'), row(9, 'a-9'), row(0, 'a-0')]);
    await cloud.app.get(RetentionService).purge(now);
    const left = await repo.find({ where: { action: 'test.audit' }, order: { ts: 'ASC' } });
    expect(left.map((r) => r.target)).toEqual(['a-9', 'a-0']);
  });
});
