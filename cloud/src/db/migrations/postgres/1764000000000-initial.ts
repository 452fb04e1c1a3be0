import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1764000000000 implements MigrationInterface {
  name = 'Initial1764000000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      'CREATE TABLE "aggregate" ("id" SERIAL NOT NULL, "roomId" character varying(64), "sessionId" character varying(36), "resolution" character varying(2) NOT NULL, "ts" bigint NOT NULL, "faces" double precision NOT NULL, "peakFaces" integer NOT NULL, "valence" double precision, "attention" double precision, "distribution" text, "samples" integer NOT NULL, CONSTRAINT "PK_c4ee11f0faf388bb19c3c5fdd8c" PRIMARY KEY ("id"))',
    );
    await q.query('CREATE INDEX "IDX_aggregate_session_res_ts" ON "aggregate" ("sessionId", "resolution", "ts") ');
    await q.query('CREATE INDEX "IDX_aggregate_room_res_ts" ON "aggregate" ("roomId", "resolution", "ts") ');
    await q.query(
      'CREATE TABLE "audit_log" ("id" SERIAL NOT NULL, "ts" bigint NOT NULL, "userId" character varying(36), "username" character varying(64) NOT NULL, "action" character varying(64) NOT NULL, "target" character varying(200) NOT NULL, "detail" text, CONSTRAINT "PK_07fefa57f7f5ab8fc3f52b3ed0b" PRIMARY KEY ("id"))',
    );
    await q.query('CREATE INDEX "IDX_audit_ts" ON "audit_log" ("ts") ');
    await q.query(
      'CREATE TABLE "building" ("id" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, CONSTRAINT "PK_bbfaf6c11f141a22d2ab105ee5f" PRIMARY KEY ("id"))',
    );
    await q.query(
      'CREATE TABLE "device_command" ("txId" character varying(64) NOT NULL, "deviceId" character varying(64) NOT NULL, "name" character varying(32) NOT NULL, "issuedAt" bigint NOT NULL, "payload" text NOT NULL, "response" text, "respondedAt" bigint, CONSTRAINT "PK_52af454ee61801b6ee0cc4f1e99" PRIMARY KEY ("txId"))',
    );
    await q.query('CREATE INDEX "IDX_device_command_device" ON "device_command" ("deviceId", "issuedAt") ');
    await q.query(
      'CREATE TABLE "device" ("id" character varying(64) NOT NULL, "roomId" character varying(64) NOT NULL, "credentialHash" character varying(128) NOT NULL, "status" character varying(16) NOT NULL DEFAULT \'never\', "lastSeen" bigint, "software" character varying(32), "modelId" character varying(64), "modelVersion" character varying(32), "telemetry" text, "configRevision" integer NOT NULL DEFAULT \'0\', "configJson" text, "createdAt" bigint NOT NULL, CONSTRAINT "PK_2dc10972aa4e27c01378dad2c72" PRIMARY KEY ("id"))',
    );
    await q.query('CREATE INDEX "IDX_device_room" ON "device" ("roomId") ');
    await q.query(
      'CREATE TABLE "job" ("id" character varying(36) NOT NULL, "status" character varying(16) NOT NULL, "progress" double precision NOT NULL DEFAULT \'0\', "error" text, "sessionId" character varying(36), "filename" character varying(255) NOT NULL, "path" character varying(1024) NOT NULL, "roomId" character varying(64), "title" character varying(200), "userId" character varying(36), "createdAt" bigint NOT NULL, "updatedAt" bigint NOT NULL, CONSTRAINT "PK_98ab1c14ff8d1cf80d18703b92f" PRIMARY KEY ("id"))',
    );
    await q.query('CREATE INDEX "IDX_job_status" ON "job" ("status", "createdAt") ');
    await q.query(
      'CREATE TABLE "report" ("sessionId" character varying(36) NOT NULL, "createdAt" bigint NOT NULL, "body" text NOT NULL, CONSTRAINT "PK_790cb382284c485c08542e25ca6" PRIMARY KEY ("sessionId"))',
    );
    await q.query(
      'CREATE TABLE "room" ("id" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, "buildingId" character varying(64) NOT NULL, "minGroupSize" integer, CONSTRAINT "PK_c6d46db005d623e691b2fbcba23" PRIMARY KEY ("id"))',
    );
    await q.query('CREATE INDEX "IDX_room_building" ON "room" ("buildingId") ');
    await q.query(
      'CREATE TABLE "session" ("id" character varying(36) NOT NULL, "roomId" character varying(64), "title" character varying(200) NOT NULL, "startedAt" bigint NOT NULL, "endedAt" bigint, "source" character varying(16) NOT NULL, "status" character varying(16) NOT NULL, CONSTRAINT "PK_f55da76ac1c3ac420f444d2ff11" PRIMARY KEY ("id"))',
    );
    await q.query('CREATE INDEX "IDX_session_room_started" ON "session" ("roomId", "startedAt") ');
    await q.query(
      'CREATE TABLE "snapshot" ("id" SERIAL NOT NULL, "deviceId" character varying(64) NOT NULL, "roomId" character varying(64) NOT NULL, "sessionId" character varying(36), "seq" bigint NOT NULL, "capturedAt" bigint NOT NULL, "receivedAt" bigint NOT NULL, "faces" integer NOT NULL, "valence" double precision NOT NULL, "attention" double precision NOT NULL, "distribution" text NOT NULL, "tracks" text NOT NULL, "emotionEnabled" boolean NOT NULL, "modelId" character varying(64) NOT NULL, "modelVersion" character varying(32) NOT NULL, CONSTRAINT "PK_47b29c1a6055220b1ebdafdf7b5" PRIMARY KEY ("id"))',
    );
    await q.query('CREATE INDEX "IDX_snapshot_received" ON "snapshot" ("receivedAt") ');
    await q.query('CREATE INDEX "IDX_snapshot_room_captured" ON "snapshot" ("roomId", "capturedAt") ');
    await q.query('CREATE UNIQUE INDEX "UQ_snapshot_device_seq" ON "snapshot" ("deviceId", "seq") ');
    await q.query(
      'CREATE TABLE "app_user" ("id" character varying(36) NOT NULL, "username" character varying(64) NOT NULL, "passwordHash" character varying(100) NOT NULL, "role" character varying(16) NOT NULL, "roomIds" text NOT NULL, "createdAt" bigint NOT NULL, CONSTRAINT "PK_22a5c4a3d9b2fb8e4e73fc4ada1" PRIMARY KEY ("id"))',
    );
    await q.query('CREATE UNIQUE INDEX "UQ_app_user_username" ON "app_user" ("username") ');
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX "UQ_app_user_username"');
    await q.query('DROP TABLE "app_user"');
    await q.query('DROP INDEX "UQ_snapshot_device_seq"');
    await q.query('DROP INDEX "IDX_snapshot_room_captured"');
    await q.query('DROP INDEX "IDX_snapshot_received"');
    await q.query('DROP TABLE "snapshot"');
    await q.query('DROP INDEX "IDX_session_room_started"');
    await q.query('DROP TABLE "session"');
    await q.query('DROP INDEX "IDX_room_building"');
    await q.query('DROP TABLE "room"');
    await q.query('DROP TABLE "report"');
    await q.query('DROP INDEX "IDX_job_status"');
    await q.query('DROP TABLE "job"');
    await q.query('DROP INDEX "IDX_device_room"');
    await q.query('DROP TABLE "device"');
    await q.query('DROP INDEX "IDX_device_command_device"');
    await q.query('DROP TABLE "device_command"');
    await q.query('DROP TABLE "building"');
    await q.query('DROP INDEX "IDX_audit_ts"');
    await q.query('DROP TABLE "audit_log"');
    await q.query('DROP INDEX "IDX_aggregate_room_res_ts"');
    await q.query('DROP INDEX "IDX_aggregate_session_res_ts"');
    await q.query('DROP TABLE "aggregate"');
  }
}
