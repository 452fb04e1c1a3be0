// Renders every dashboard page in headless Chromium at tablet sizes and saves PNGs.
//   node cloud/web/dev/screenshots.mjs <baseUrl> <outDir> [username] [password] [liveRoomId] [suppressedRoomId] [sessionId]
import { chromium } from 'playwright-core';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

const [
  base = 'http://localhost:5174',
  out = '/tmp/web-shots',
  user = 'admin',
  pass = 'admin',
  liveRoom = 'hall-a',
  quietRoom = 'seminar-3',
  sessionId = 's-101',
] = process.argv.slice(2);
const only = process.env.ONLY?.split(',');
await mkdir(out, { recursive: true });

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
const sizes = { portrait: { width: 820, height: 1180 }, landscape: { width: 1180, height: 820 } };
const problems = [];

for (const [orientation, viewport] of Object.entries(sizes)) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && problems.push(`${orientation} console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`${orientation} pageerror: ${e.message}`));
  const shot = async (name, full = false) => {
    if (only && !only.includes(name)) return;
    // Grow the viewport to the page height and let charts settle, instead of fullPage capture,
    // which resizes mid-shot and catches Chart.js in its resize animation.
    if (full) {
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, height) });
      await page.waitForTimeout(700);
    }
    await page.screenshot({ path: join(out, `web-${name}-${orientation}.png`) });
    if (full) await page.setViewportSize(viewport);
  };

  await page.goto(`${base}/#/rooms/${liveRoom}`);
  await page.getByTestId('login-username').waitFor();
  await shot('login');
  await page.getByTestId('login-username').fill(user);
  await page.getByTestId('login-password').fill(pass);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('live-faces').waitFor();
  await page.waitForFunction(
    () => document.querySelector('[data-testid="live-connection"]')?.getAttribute('data-state') === 'live',
  );
  await page.waitForTimeout(2500);
  await shot('live', true);

  const step = async (name, fn) => {
    if (only && !only.includes(name)) return;
    try {
      await fn();
    } catch (err) {
      problems.push(`${orientation} ${name}: ${err.message.split('\n')[0]}`);
    }
  };

  await step('live-suppressed', async () => {
    await page.goto(`${base}/#/rooms/${quietRoom}`);
    await page
      .getByTestId('live-suppressed')
      .waitFor({ timeout: 5000 })
      .catch(() => problems.push('no suppressed notice'));
    await page.waitForTimeout(800);
    await shot('live-suppressed');
  });
  await step('rooms', async () => {
    await page.goto(`${base}/#/rooms`);
    await page.locator('[data-testid^="room-card-"]').first().waitFor({ timeout: 5000 });
    await page.waitForTimeout(500);
    await shot('rooms', true);
  });
  await step('sessions', async () => {
    await page.goto(`${base}/#/sessions`);
    await page.waitForTimeout(800);
    await shot('sessions');
  });
  await step('report', async () => {
    await page.goto(`${base}/#/sessions/${sessionId}`);
    await page.getByTestId('report-timeline').waitFor({ timeout: 5000 });
    await page.waitForTimeout(800);
    await shot('report', true);
  });
  await step('admin', async () => {
    await page.goto(`${base}/#/admin`);
    await page
      .locator('[data-testid^="device-row-"]')
      .first()
      .waitFor({ timeout: 5000 })
      .catch(() => problems.push('no device rows'));
    const cfg = page.locator('[data-testid^="device-config-"]').first();
    if (await cfg.count()) await cfg.click();
    await page.waitForTimeout(500);
    await shot('admin', true);
  });
  await step('installer', async () => {
    await page.goto(`${base}/#/installer`);
    await page.getByTestId('device-id').fill(`shot-${orientation}-${Date.now() % 100000}`);
    await page.getByTestId('device-create-submit').click();
    await page
      .getByTestId('device-qr')
      .waitFor({ timeout: 5000 })
      .catch(() => problems.push('no device qr'));
    await page.waitForTimeout(500);
    await shot('installer', true);
  });
  await step('uploads', async () => {
    await page.goto(`${base}/#/uploads`);
    await page.waitForTimeout(1200);
    await shot('uploads', true);
  });
  await context.close();
}
await browser.close();
console.log(problems.length ? problems.join('\n') : 'no console errors');
