import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Read faces per aggregate bucket. Buckets stored before the readable-size gate read every face: read = faces. */
export class AggregateRead1764200000000 implements MigrationInterface {
  name = 'AggregateRead1764200000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE "aggregate" ADD "read" double precision');
    await q.query('UPDATE "aggregate" SET "read" = "faces"');
    await q.query('ALTER TABLE "aggregate" ALTER COLUMN "read" SET NOT NULL');
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE "aggregate" DROP COLUMN "read"');
  }
}
