import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1764000000000 implements MigrationInterface {
  name = 'Initial1764000000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      'CREATE TABLE "aggregate" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "roomId" varchar(64), "sessionId" varchar(36), "resolution" varchar(2) NOT NULL, "ts" bigint NOT NULL, "faces" double precision NOT NULL, "peakFaces" integer NOT NULL, "valence" double precision, "attention" double precision, "distribution" text, "samples" integer NOT NULL)',
    );
    await q.query('CREATE INDEX "IDX_aggregate_session_res_ts" ON "aggregate" ("sessionId", "resolution", "ts") ');
    await q.query('CREATE INDEX "IDX_aggregate_room_res_ts" ON "aggregate" ("roomId", "resolution", "ts") ');
    await q.query(
      'CREATE TABLE "audit_log" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "ts" bigint NOT NULL, "userId" varchar(36), "username" varchar(64) NOT NULL, "action" varchar(64) NOT NULL, "target" varchar(200) NOT NULL, "detail" text)',
    );
    await q.query('CREATE INDEX "IDX_audit_ts" ON "audit_log" ("ts") ');
    await q.query('CREATE TABLE "building" ("id" varchar(64) PRIMARY KEY NOT NULL, "name" varchar(200) NOT NULL)');
    await q.query(
      'CREATE TABLE "device_command" ("txId" varchar(64) PRIMARY KEY NOT NULL, "deviceId" varchar(64) NOT NULL, "name" varchar(32) NOT NULL, "issuedAt" bigint NOT NULL, "payload" text NOT NULL, "response" text, "respondedAt" bigint)',
    );
    await q.query('CREATE INDEX "IDX_device_command_device" ON "device_command" ("deviceId", "issuedAt") ');
    await q.query(
      'CREATE TABLE "device" ("id" varchar(64) PRIMARY KEY NOT NULL, "roomId" varchar(64) NOT NULL, "credentialHash" varchar(128) NOT NULL, "status" varchar(16) NOT NULL DEFAULT (\'never\'), "lastSeen" bigint, "software" varchar(32), "modelId" varchar(64), "modelVersion" varchar(32), "telemetry" text, "configRevision" integer NOT NULL DEFAULT (0), "configJson" text, "createdAt" bigint NOT NULL)',
    );
    await q.query('CREATE INDEX "IDX_device_room" ON "device" ("roomId") ');
    await q.query(
      'CREATE TABLE "job" ("id" varchar(36) PRIMARY KEY NOT NULL, "status" varchar(16) NOT NULL, "progress" double precision NOT NULL DEFAULT (0), "error" text, "sessionId" varchar(36), "filename" varchar(255) NOT NULL, "path" varchar(1024) NOT NULL, "roomId" varchar(64), "title" varchar(200), "userId" varchar(36), "createdAt" bigint NOT NULL, "updatedAt" bigint NOT NULL)',
    );
    await q.query('CREATE INDEX "IDX_job_status" ON "job" ("status", "createdAt") ');
    await q.query(
      'CREATE TABLE "report" ("sessionId" varchar(36) PRIMARY KEY NOT NULL, "createdAt" bigint NOT NULL, "body" text NOT NULL)',
    );
    await q.query(
      'CREATE TABLE "room" ("id" varchar(64) PRIMARY KEY NOT NULL, "name" varchar(200) NOT NULL, "buildingId" varchar(64) NOT NULL, "minGroupSize" integer)',
    );
    await q.query('CREATE INDEX "IDX_room_building" ON "room" ("buildingId") ');
    await q.query(
      'CREATE TABLE "session" ("id" varchar(36) PRIMARY KEY NOT NULL, "roomId" varchar(64), "title" varchar(200) NOT NULL, "startedAt" bigint NOT NULL, "endedAt" bigint, "source" varchar(16) NOT NULL, "status" varchar(16) NOT NULL)',
    );
    await q.query('CREATE INDEX "IDX_session_room_started" ON "session" ("roomId", "startedAt") ');
    await q.query(
      'CREATE TABLE "snapshot" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "deviceId" varchar(64) NOT NULL, "roomId" varchar(64) NOT NULL, "sessionId" varchar(36), "seq" bigint NOT NULL, "capturedAt" bigint NOT NULL, "receivedAt" bigint NOT NULL, "faces" integer NOT NULL, "valence" double precision NOT NULL, "attention" double precision NOT NULL, "distribution" text NOT NULL, "tracks" text NOT NULL, "emotionEnabled" boolean NOT NULL, "modelId" varchar(64) NOT NULL, "modelVersion" varchar(32) NOT NULL)',
    );
    await q.query('CREATE INDEX "IDX_snapshot_received" ON "snapshot" ("receivedAt") ');
    await q.query('CREATE INDEX "IDX_snapshot_room_captured" ON "snapshot" ("roomId", "capturedAt") ');
    await q.query('CREATE UNIQUE INDEX "UQ_snapshot_device_seq" ON "snapshot" ("deviceId", "seq") ');
    await q.query(
      'CREATE TABLE "app_user" ("id" varchar(36) PRIMARY KEY NOT NULL, "username" varchar(64) NOT NULL, "passwordHash" varchar(100) NOT NULL, "role" varchar(16) NOT NULL, "roomIds" text NOT NULL, "createdAt" bigint NOT NULL)',
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
