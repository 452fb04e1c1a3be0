import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sequence epochs: a re-imaged device starts its seq again from 0 in a new epoch, so dedupe is on
 * (device, epoch, seq). Rows from before are epoch 0, as are snapshots of agents that send none.
 */
export class SnapshotEpoch1764400000000 implements MigrationInterface {
  name = 'SnapshotEpoch1764400000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE "snapshot" ADD COLUMN "epoch" integer NOT NULL DEFAULT (0)');
    await q.query('DROP INDEX "UQ_snapshot_device_seq"');
    await q.query('CREATE UNIQUE INDEX "UQ_snapshot_device_epoch_seq" ON "snapshot" ("deviceId", "epoch", "seq") ');
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX "UQ_snapshot_device_epoch_seq"');
    await q.query('CREATE UNIQUE INDEX "UQ_snapshot_device_seq" ON "snapshot" ("deviceId", "seq") ');
    await q.query('ALTER TABLE "snapshot" DROP COLUMN "epoch"');
  }
}
