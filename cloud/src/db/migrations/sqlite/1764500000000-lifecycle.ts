import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lifecycle (issue 14 part 5): a device label, and on users the forced password change (first-run admin,
 * admin reset) and the token version that a password change or reset bumps to end older sessions.
 */
export class Lifecycle1764500000000 implements MigrationInterface {
  name = 'Lifecycle1764500000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE "device" ADD COLUMN "name" varchar(200)');
    await q.query('ALTER TABLE "app_user" ADD COLUMN "mustChangePassword" boolean NOT NULL DEFAULT (0)');
    await q.query('ALTER TABLE "app_user" ADD COLUMN "tokenVersion" integer NOT NULL DEFAULT (0)');
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE "app_user" DROP COLUMN "tokenVersion"');
    await q.query('ALTER TABLE "app_user" DROP COLUMN "mustChangePassword"');
    await q.query('ALTER TABLE "device" DROP COLUMN "name"');
  }
}
