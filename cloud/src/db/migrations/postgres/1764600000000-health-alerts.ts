import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Device health: telemetry history, alerts, and the config revision each device applied. */
export class HealthAlerts1764600000000 implements MigrationInterface {
  name = 'HealthAlerts1764600000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      'CREATE TABLE "alert" ("id" SERIAL NOT NULL, "rule" character varying(32) NOT NULL, "severity" character varying(16) NOT NULL, "deviceId" character varying(64) NOT NULL, "roomId" character varying(64), "state" character varying(16) NOT NULL, "message" text NOT NULL, "value" double precision, "threshold" double precision, "firedAt" bigint NOT NULL, "acknowledgedAt" bigint, "acknowledgedBy" character varying(64), "resolvedAt" bigint, CONSTRAINT "PK_ad91cad659a3536465d564a4b2f" PRIMARY KEY ("id"))',
    );
    await q.query('CREATE INDEX "IDX_alert_device_rule" ON "alert" ("deviceId", "rule") ');
    await q.query('CREATE INDEX "IDX_alert_state" ON "alert" ("state", "firedAt") ');
    await q.query(
      'CREATE TABLE "device_health" ("deviceId" character varying(64) NOT NULL, "configAppliedRevision" integer, "configAppliedAt" bigint, "configRefusedRevision" integer, "configError" text, CONSTRAINT "PK_a81b395680447d9d018b8627131" PRIMARY KEY ("deviceId"))',
    );
    await q.query(
      'CREATE TABLE "device_telemetry" ("id" SERIAL NOT NULL, "deviceId" character varying(64) NOT NULL, "ts" bigint NOT NULL, "fps" double precision NOT NULL, "cpuPercent" double precision NOT NULL, "temperatureC" double precision, "outboxDepth" integer NOT NULL, "sourceState" character varying(16) NOT NULL, CONSTRAINT "PK_5f9bf90c963405eac930d5733ed" PRIMARY KEY ("id"))',
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
