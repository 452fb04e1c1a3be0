import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import type { Browser } from 'playwright-core';
import { SnapshotEntity, startCloud } from '@lectern/cloud';
import { startSimulator } from '@lectern/lab';
import { ApiClient } from './support/api';
import { launchChromium, loginInBrowser } from './support/browser';
import { createTempDatabase } from './support/postgres';
import { waitFor } from './support/wait';

const PG_URL = process.env.LECTERN_TEST_PG_URL;
const MQTT_URL = process.env.LECTERN_TEST_MQTT_URL;
const ADMIN_PASSWORD = 'e2e-admin-password';
const K = 12;

const variants = [
  { name: 'embedded aedes + SQLite', pg: false, externalBroker: false, run: true },
  { name: 'PostgreSQL through TypeORM', pg: true, externalBroker: false, run: Boolean(PG_URL) },
  { name: 'external Mosquitto broker', pg: false, externalBroker: true, run: Boolean(MQTT_URL) },
];

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

for (const variant of variants) {
  describe.skipIf(!variant.run)(`walking skeleton: ${variant.name}`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lectern-e2e-'));
    // Unique per run: several CI runs may share one external broker.
    const suffix = Math.random().toString(36).slice(2, 8);
    const roomId = `e2e-room-${suffix}`;
    const deviceId = `e2e-cam-${suffix}`;
    let cloud: Awaited<ReturnType<typeof startCloud>>;
    let dropDb: (() => Promise<void>) | undefined;
    let api: ApiClient;

    beforeAll(async () => {
      const env: Record<string, string> = {
        LECTERN_HTTP_PORT: '0',
        LECTERN_MQTT_PORT: 'auto',
        LECTERN_DATA_DIR: dataDir,
        LECTERN_ADMIN_PASSWORD: ADMIN_PASSWORD,
        LECTERN_LOG_LEVEL: 'warn',
      };
      if (variant.pg) {
        const db = await createTempDatabase(PG_URL!);
        env.LECTERN_DB_URL = db.url;
        dropDb = db.drop;
      }
      if (variant.externalBroker) env.LECTERN_MQTT_URL = MQTT_URL!;
      cloud = await startCloud(env);
      api = new ApiClient(cloud.httpUrl);
      await api.login('admin', ADMIN_PASSWORD);
    });

    const onCleanup: (() => Promise<void>)[] = [];
    afterAll(async () => {
      for (const cleanup of onCleanup) await cleanup();
      await cloud?.close();
      await dropDb?.();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it(`stores exactly ${K} snapshots from a simulated device and shows the room live in Chromium`, async () => {
      await api.request('POST', '/api/rooms', { id: roomId, name: 'E2E Hall', buildingName: 'Test building' });
      const created = await api.request<{ credentials: { username: string; password: string } }>(
        'POST',
        '/api/devices',
        { id: deviceId, roomId },
      );

      const sim = await startSimulator({
        brokerUrl: cloud.mqttUrl,
        devices: [{ deviceId, roomId, ...created.credentials }],
        hz: 20,
        count: K,
        faces: [4, 8],
      });
      // The device stays connected (online) after its K snapshots, so the room stays live while we look.
      onCleanup.push(() => sim.stop());
      await sim.done;
      expect(sim.published()).toBe(K);

      const db = cloud.app.get(DataSource);
      const countRows = () => db.getRepository(SnapshotEntity).countBy({ deviceId });
      await waitFor(async () => (await countRows()) === K, `${K} stored rows`);
      // Still exactly K a moment later: nothing is stored twice.
      await new Promise((r) => setTimeout(r, 300));
      expect(await countRows()).toBe(K);

      const rooms = await api.request<
        { id: string; live: { faces: number; distribution: number[] | null; suppressed: boolean } | null }[]
      >('GET', '/api/rooms');
      const room = rooms.find((r) => r.id === roomId);
      expect(room?.live?.faces).toBeGreaterThanOrEqual(4);
      expect(room?.live?.suppressed).toBe(false);
      expect(room?.live?.distribution?.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);

      const page = await browser.newPage({ viewport: { width: 1180, height: 820 } });
      // A probe that cannot find its element fails within the poll's own timeout instead of Playwright's 30 s.
      page.setDefaultTimeout(5_000);
      try {
        await loginInBrowser(page, cloud.httpUrl, 'admin', ADMIN_PASSWORD);
        await page.goto(`${cloud.httpUrl}/#/rooms/${roomId}`);
        await expect
          .poll(async () => page.getByTestId('live-faces').textContent(), { timeout: 10_000 })
          .toBe(String(room!.live!.faces));

        // Live: a second burst must reach the open page without a reload.
        const live = await startSimulator({
          brokerUrl: cloud.mqttUrl,
          devices: [{ deviceId, roomId, ...created.credentials }],
          hz: 5,
          faces: [10, 10],
          firstSeq: K + 1000,
        });
        try {
          await expect.poll(async () => page.getByTestId('live-faces').textContent(), { timeout: 10_000 }).toBe('10');
          const happy = await page.getByTestId('dist-happy').textContent();
          expect(happy).toMatch(/\d+\s*%/);
          await page.screenshot({
            path: join(
              __dirname,
              '..',
              '..',
              'docs',
              'screenshots',
              `e2e-live-room-${variant.pg ? 'pg' : variant.externalBroker ? 'mosquitto' : 'sqlite'}.png`,
            ),
          });
        } finally {
          await live.stop();
        }
      } finally {
        await page.close();
      }
    });
  });
}
