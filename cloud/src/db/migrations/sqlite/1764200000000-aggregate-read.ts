import type { MigrationInterface, QueryRunner } from 'typeorm';

const COLUMNS =
  '"id", "roomId", "sessionId", "resolution", "ts", "faces", "peakFaces", "valence", "attention", "distribution", "samples"';

/**
 * Read faces per aggregate bucket. Buckets stored before the readable-size gate read every face: read = faces.
 * SQLite cannot add a NOT NULL column without a default, so the table is rebuilt (as TypeORM generates it).
 */
export class AggregateRead1764200000000 implements MigrationInterface {
  name = 'AggregateRead1764200000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX "IDX_aggregate_room_res_ts"');
    await q.query('DROP INDEX "IDX_aggregate_session_res_ts"');
    await q.query(
      'CREATE TABLE "temporary_aggregate" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "roomId" varchar(64), "sessionId" varchar(36), "resolution" varchar(2) NOT NULL, "ts" bigint NOT NULL, "faces" double precision NOT NULL, "peakFaces" integer NOT NULL, "valence" double precision, "attention" double precision, "distribution" text, "samples" integer NOT NULL, "read" double precision NOT NULL)',
    );
    await q.query(`INSERT INTO "temporary_aggregate"(${COLUMNS}, "read") SELECT ${COLUMNS}, "faces" FROM "aggregate"`);
    await q.query('DROP TABLE "aggregate"');
    await q.query('ALTER TABLE "temporary_aggregate" RENAME TO "aggregate"');
    await q.query('CREATE INDEX "IDX_aggregate_room_res_ts" ON "aggregate" ("roomId", "resolution", "ts") ');
    await q.query('CREATE INDEX "IDX_aggregate_session_res_ts" ON "aggregate" ("sessionId", "resolution", "ts") ');
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX "IDX_aggregate_session_res_ts"');
    await q.query('DROP INDEX "IDX_aggregate_room_res_ts"');
    await q.query('ALTER TABLE "aggregate" RENAME TO "temporary_aggregate"');
    await q.query(
      'CREATE TABLE "aggregate" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "roomId" varchar(64), "sessionId" varchar(36), "resolution" varchar(2) NOT NULL, "ts" bigint NOT NULL, "faces" double precision NOT NULL, "peakFaces" integer NOT NULL, "valence" double precision, "attention" double precision, "distribution" text, "samples" integer NOT NULL)',
    );
    await q.query(`INSERT INTO "aggregate"(${COLUMNS}) SELECT ${COLUMNS} FROM "temporary_aggregate"`);
    await q.query('DROP TABLE "temporary_aggregate"');
    await q.query('CREATE INDEX "IDX_aggregate_session_res_ts" ON "aggregate" ("sessionId", "resolution", "ts") ');
    await q.query('CREATE INDEX "IDX_aggregate_room_res_ts" ON "aggregate" ("roomId", "resolution", "ts") ');
  }
}
