import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RoomSchedule1764100000000 implements MigrationInterface {
  name = 'RoomSchedule1764100000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      'CREATE TABLE "schedule_slot" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "roomId" varchar(64) NOT NULL, "weekday" integer NOT NULL, "startTime" varchar(5) NOT NULL, "endTime" varchar(5) NOT NULL, "timeZone" varchar(64), "title" varchar(200))',
    );
    await q.query('CREATE INDEX "IDX_schedule_slot_room" ON "schedule_slot" ("roomId") ');
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX "IDX_schedule_slot_room"');
    await q.query('DROP TABLE "schedule_slot"');
  }
}
