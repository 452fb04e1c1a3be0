import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AggregateEntity, RetentionService, SnapshotEntity } from '../src';
import { startTestCloud, type TestCloud } from './helpers/cloud';
import { announceSkip, DB_TARGETS } from './helpers/targets';

const DAY = 86_400_000;

for (const target of DB_TARGETS) {
  announceSkip('retention', target);
  describe.skipIf(target.skip)(`retention on ${target.db}`, () => {
    let cloud: TestCloud;
    beforeAll(async () => {
      cloud = await startTestCloud({ db: target.db, env: { LECTERN_RETENTION_DAYS: '7' } });
    });
    afterAll(async () => {
      await cloud?.stop();
    });

    it('purges raw snapshots older than N days and keeps aggregates', async () => {
      const ds = cloud.app.get(DataSource);
      const now = Date.now();
      const row = (seq: number, ageDays: number): Omit<SnapshotEntity, 'id'> => ({
        deviceId: 'ret-cam',
        roomId: 'ret-room',
        sessionId: null,
        epoch: 0,
        seq,
        capturedAt: now - ageDays * DAY,
        receivedAt: now - ageDays * DAY,
        faces: 3,
        valence: 0.1,
        attention: 1,
        distribution: '[0,0,0,1,0,0,0]',
        tracks: '[]',
        emotionEnabled: true,
        modelId: 'm',
        modelVersion: '1',
      });
      await ds.getRepository(SnapshotEntity).insert([row(1, 30), row(2, 8), row(3, 6.9), row(4, 0)]);
      await ds.getRepository(AggregateEntity).insert({
        roomId: 'ret-room',
        sessionId: null,
        resolution: '1m',
        ts: now - 30 * DAY,
        faces: 3,
        read: 3,
        peakFaces: 3,
        valence: 0.1,
        attention: 1,
        distribution: '[0,0,0,1,0,0,0]',
        samples: 60,
      });
      const purged = await cloud.app.get(RetentionService).purge(now);
      expect(purged).toBe(2);
      const left = await ds
        .getRepository(SnapshotEntity)
        .find({ where: { deviceId: 'ret-cam' }, order: { seq: 'ASC' } });
      expect(left.map((r) => r.seq)).toEqual([3, 4]);
      expect(await ds.getRepository(AggregateEntity).countBy({ roomId: 'ret-room' })).toBe(1);
    });
  });
}
