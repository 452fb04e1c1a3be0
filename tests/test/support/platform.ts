import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCloud } from '@lectern/cloud';
import { ApiClient } from './api';

export const ADMIN_PASSWORD = 'e2e-admin-password';

/** A cloud on random ports with an embedded broker and SQLite in a temp dir, plus a logged-in admin client. */
export async function startTestCloud(env: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'lectern-e2e-'));
  const cloud = await startCloud({
    LECTERN_HTTP_PORT: '0',
    LECTERN_MQTT_PORT: 'auto',
    LECTERN_DATA_DIR: dataDir,
    LECTERN_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LECTERN_LOG_LEVEL: 'warn',
    ...env,
  });
  const admin = new ApiClient(cloud.httpUrl);
  await admin.login('admin', ADMIN_PASSWORD);
  return {
    cloud,
    admin,
    dataDir,
    async close() {
      await cloud.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const screenshotPath = (name: string) => join(__dirname, '..', '..', '..', 'docs', 'screenshots', name);
