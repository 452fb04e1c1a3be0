import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Device health: telemetry history, alerts, and the config revision each device applied. */
export class HealthAlerts1764600000000 implements MigrationInterface {
  name = 'HealthAlerts1764600000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      'CREATE TABLE "alert" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "rule" varchar(32) NOT NULL, "severity" varchar(16) NOT NULL, "deviceId" varchar(64) NOT NULL, "roomId" varchar(64), "state" varchar(16) NOT NULL, "message" text NOT NULL, "value" double precision, "threshold" double precision, "firedAt" bigint NOT NULL, "acknowledgedAt" bigint, "acknowledgedBy" varchar(64), "resolvedAt" bigint)',
    );
    await q.query('CREATE INDEX "IDX_alert_device_rule" ON "alert" ("deviceId", "rule") ');
    await q.query('CREATE INDEX "IDX_alert_state" ON "alert" ("state", "firedAt") ');
    await q.query(
      'CREATE TABLE "device_health" ("deviceId" varchar(64) PRIMARY KEY NOT NULL, "configAppliedRevision" integer, "configAppliedAt" bigint, "configRefusedRevision" integer, "configError" text)',
    );
    await q.query(
      'CREATE TABLE "device_telemetry" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "deviceId" varchar(64) NOT NULL, "ts" bigint NOT NULL, "fps" double precision NOT NULL, "cpuPercent" double precision NOT NULL, "temperatureC" double precision, "outboxDepth" integer NOT NULL, "sourceState" varchar(16) NOT NULL)',
    );
    await q.query('CREATE INDEX "IDX_device_telemetry_ts" ON "device_telemetry" ("ts") ');
    await q.query('CREATE INDEX "IDX_device_telemetry_device_ts" ON "device_telemetry" ("deviceId", "ts") ');
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX "IDX_device_telemetry_device_ts"');
    await q.query('DROP INDEX "IDX_device_telemetry_ts"');
    await q.query('DROP TABLE "device_telemetry"');
    await q.query('DROP TABLE "device_health"');
    await q.query('DROP INDEX "IDX_alert_state"');
    await q.query('DROP INDEX "IDX_alert_device_rule"');
    await q.query('DROP TABLE "alert"');
  }
}
