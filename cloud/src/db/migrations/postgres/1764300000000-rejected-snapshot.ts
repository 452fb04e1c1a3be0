import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Dead letters of ingestion: snapshots the database refused on their own, with the reason. */
export class RejectedSnapshot1764300000000 implements MigrationInterface {
  name = 'RejectedSnapshot1764300000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      'CREATE TABLE "rejected_snapshot" ("id" SERIAL NOT NULL, "deviceId" character varying(64) NOT NULL, "seq" bigint NOT NULL, "reason" text NOT NULL, "payload" text NOT NULL, "rejectedAt" bigint NOT NULL, CONSTRAINT "PK_cbfa4d69c330c870a3fcaed678b" PRIMARY KEY ("id"))',
    );
    await q.query('CREATE INDEX "IDX_rejected_snapshot_device" ON "rejected_snapshot" ("deviceId", "seq") ');
    await q.query('CREATE INDEX "IDX_rejected_snapshot_at" ON "rejected_snapshot" ("rejectedAt") ');
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX "IDX_rejected_snapshot_at"');
    await q.query('DROP INDEX "IDX_rejected_snapshot_device"');
    await q.query('DROP TABLE "rejected_snapshot"');
  }
}
