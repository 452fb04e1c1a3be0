import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RoomSchedule1764100000000 implements MigrationInterface {
  name = 'RoomSchedule1764100000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      'CREATE TABLE "schedule_slot" ("id" SERIAL NOT NULL, "roomId" character varying(64) NOT NULL, "weekday" integer NOT NULL, "startTime" character varying(5) NOT NULL, "endTime" character varying(5) NOT NULL, "timeZone" character varying(64), "title" character varying(200), CONSTRAINT "PK_c5cf1a89af5d730318b023ec8c9" PRIMARY KEY ("id"))',
    );
    await q.query('CREATE INDEX "IDX_schedule_slot_room" ON "schedule_slot" ("roomId") ');
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX "IDX_schedule_slot_room"');
    await q.query('DROP TABLE "schedule_slot"');
  }
}
