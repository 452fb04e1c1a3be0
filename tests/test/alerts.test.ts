// Issue 14 part 6 acceptance: a real edge agent is killed (-9, so the broker publishes its last will), the
// offline alert appears in the dashboard and at a local webhook receiver within the configured threshold, an
// installer acknowledges it, and restarting the agent resolves it (the webhook gets the resolve too).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnAgent, writeAgentConfig, type AgentProcess } from './support/agent';
import { launchChromium, loginInBrowser } from './support/browser';
import { screenshotPath, startTestCloud } from './support/platform';
import { waitFor } from './support/wait';

const OFFLINE_S = 3;
const DEVICE = 'hall-b-cam-1';
const ROOM = 'hall-b';

interface Hook {
  at: number;
  body: {
    event: 'firing' | 'resolved';
    text: string;
    alert: { id: number; rule: string; deviceId: string; state: string };
  };
}

let browser: Browser;
let platform: Awaited<ReturnType<typeof startTestCloud>>;
let server: Server;
const hooks: Hook[] = [];
const agents: AgentProcess[] = [];
let dir: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hooks.push({ at: Date.now(), body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Hook['body'] });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/lectern-alerts`;
  browser = await launchChromium();
  platform = await startTestCloud({
    LECTERN_ALERT_OFFLINE_S: String(OFFLINE_S),
    LECTERN_ALERT_EVAL_S: '1',
    LECTERN_ALERT_WEBHOOK_URL: hookUrl,
  });
  await platform.admin.request('POST', '/api/rooms', { id: ROOM, name: 'Hall B', buildingName: 'Main' });
  dir = mkdtempSync(join(tmpdir(), 'lectern-alerts-e2e-'));
});
afterAll(async () => {
  for (const a of agents) a.kill('SIGKILL');
  await platform?.close();
  await browser?.close();
  await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('alerts', () => {
  it('shows a dead agent as an offline alert within the threshold, acknowledges it, and resolves on restart', async () => {
    const config = await writeAgentConfig(platform.cloud, dir, { id: DEVICE, roomId: ROOM, roomName: 'Hall B' });
    const start = (): AgentProcess => {
      const a = spawnAgent(config);
      agents.push(a);
      return a;
    };
    const first = start();
    const history = () =>
      platform.admin.request<{ device: { status: string; software: string | null }; points: unknown[] }>(
        'GET',
        `/api/devices/${DEVICE}/history`,
      );
    await waitFor(
      async () => {
        const h = await history();
        return h.device.status === 'online' && h.points.length > 0;
      },
      `the agent online with telemetry (${first.output()})`,
      90_000,
      500,
    );

    const page = await browser.newPage({ viewport: { width: 1180, height: 820 } });
    try {
      await loginInBrowser(page, platform.cloud.httpUrl, 'admin', 'e2e-admin-password');
      await page.goto(`${platform.cloud.httpUrl}/#/alerts`);
      await page.getByTestId(`fleet-row-${DEVICE}`).waitFor();
      await expect.poll(() => page.getByTestId(`fleet-row-${DEVICE}`).getAttribute('data-status')).toBe('online');

      const killedAt = Date.now();
      first.kill('SIGKILL');
      const row = page.locator('[data-testid^="alert-row-"][data-state="firing"]', { hasText: 'offline for' });
      await row.waitFor({ timeout: 20_000 });
      const inDashboard = Date.now() - killedAt;
      const fired = await waitFor(
        () =>
          hooks.find(
            (h) => h.body.event === 'firing' && h.body.alert.deviceId === DEVICE && h.body.alert.rule === 'offline',
          ),
        'the webhook firing',
        10_000,
      );
      const atWebhook = fired.at - killedAt;
      console.log(
        `offline alert: webhook ${atWebhook} ms, dashboard ${inDashboard} ms after kill -9 (threshold ${OFFLINE_S} s)`,
      );
      expect(fired.body.alert.rule).toBe('offline');
      expect(atWebhook).toBeLessThan(OFFLINE_S * 1000 + 3000);
      // The page polls every 5 s; the alert itself exists from the webhook's moment on.
      expect(inDashboard).toBeLessThan(OFFLINE_S * 1000 + 8000);
      await expect.poll(() => page.getByTestId('alerts-badge').textContent(), { timeout: 15_000 }).toBe('1');
      await expect.poll(() => row.textContent()).toContain('offline for');
      await page.screenshot({ path: screenshotPath('e2e-alerts-offline.png') });

      await page.getByTestId(`alert-ack-${fired.body.alert.id}`).click();
      await page
        .locator(`[data-testid="alert-row-${fired.body.alert.id}"][data-state="acknowledged"]`)
        .waitFor({ timeout: 10_000 });
      await expect.poll(() => page.getByTestId('alerts-badge').count(), { timeout: 15_000 }).toBe(0);

      start();
      const resolved = await waitFor(
        () => hooks.find((h) => h.body.event === 'resolved' && h.body.alert.id === fired.body.alert.id),
        'the webhook resolve',
        60_000,
        200,
      );
      expect(resolved.body.alert.state).toBe('resolved');
      await page
        .locator(`[data-testid="alert-row-${fired.body.alert.id}"][data-state="resolved"]`)
        .waitFor({ timeout: 15_000 });

      // A few more telemetry rows (one per 10 s at most) so the charts show lines, not dots.
      await waitFor(async () => (await history()).points.length >= 6, 'six history points', 60_000, 1000);
      await page.goto(`${platform.cloud.httpUrl}/#/alerts`);
      // The device's history, reached from the fleet table: status, versions and the four charts.
      await page.getByTestId(`fleet-history-${DEVICE}`).click();
      await page.getByTestId(`device-history-${DEVICE}`).waitFor();
      for (const chart of ['chart-fps', 'chart-cpu', 'chart-temperature', 'chart-outbox'])
        await page.getByTestId(chart).waitFor();
      await expect.poll(() => page.getByTestId('history-status').textContent(), { timeout: 15_000 }).toMatch(/online/);
      await page.waitForTimeout(600);
      await page.screenshot({ path: screenshotPath('e2e-device-history.png'), fullPage: true });
    } finally {
      await page.close();
    }
  }, 180_000);
});
