// Drives the main dashboard flows in headless Chromium and prints what it observed.
//   node cloud/web/dev/check-flows.mjs <baseUrl> <username> <password> <roomId> [videoFile]
import { chromium } from 'playwright-core';

const [base = 'http://localhost:5174', user = 'admin', pass = 'admin', roomId = 'hall-a', video] =
  process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
});
const page = await (
  await browser.newContext({ viewport: { width: 1180, height: 820 }, acceptDownloads: true })
).newPage();
const log = (...a) => console.log(...a);
const check = async (name, fn) => {
  try {
    log(`ok   ${name}: ${(await fn()) ?? ''}`);
  } catch (err) {
    log(`FAIL ${name}: ${err.message.split('\n')[0]}`);
  }
};

await check('deep link -> login -> back', async () => {
  await page.goto(`${base}/#/rooms/${roomId}`);
  await page.getByTestId('login-username').waitFor({ timeout: 5000 });
  const loginUrl = page.url();
  await page.getByTestId('login-username').fill(user);
  await page.getByTestId('login-password').fill('wrong-password');
  await page.getByTestId('login-submit').click();
  const err = await page.getByRole('alert').textContent({ timeout: 5000 });
  await page.getByTestId('login-password').fill(pass);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('live-faces').waitFor({ timeout: 5000 });
  return `${loginUrl.split('#')[1]} -> ${page.url().split('#')[1]}; bad password says "${err}"`;
});

await check('live view', async () => {
  await page.waitForFunction(
    () => document.querySelector('[data-testid="live-connection"]')?.getAttribute('data-state') === 'live',
    null,
    { timeout: 5000 },
  );
  const faces = await page.getByTestId('live-faces').textContent();
  const suppressed = await page.getByTestId('live-suppressed').count();
  if (suppressed) return `faces ${faces}, suppressed`;
  const dominant = await page.getByTestId('live-dominant').textContent();
  const dist = await page.locator('[data-testid^="dist-"]').allTextContents();
  return `faces ${faces}, dominant ${dominant}, distribution ${dist.join(' ')}`;
});

await check('session start/stop', async () => {
  if (await page.getByTestId('session-stop').count()) {
    await page.getByTestId('session-stop').click();
    await page.getByTestId('session-start').waitFor({ timeout: 5000 });
  }
  await page.getByTestId('session-start').click();
  await page.getByTestId('session-stop').waitFor({ timeout: 5000 });
  await page.getByTestId('session-stop').click();
  await page.getByTestId('session-start').waitFor({ timeout: 5000 });
  const href = await page.getByText('Last report').getAttribute('href');
  return `stopped, report link ${href}`;
});

await check('report + csv download', async () => {
  const href = await page.getByText('Last report').getAttribute('href');
  await page.goto(`${base}/${href}`);
  await page.getByTestId('report-timeline').waitFor({ timeout: 10000 });
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 10000 }),
    page.getByTestId('report-csv').click(),
  ]);
  const path = await download.path();
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(path, 'utf8');
  return `${download.suggestedFilename()} ${text.length} bytes, first line "${text.split('\n')[0]}"`;
});

await check('rooms overview live update', async () => {
  await page.goto(`${base}/#/rooms`);
  const card = page.getByTestId(`room-card-${roomId}`);
  await card.waitFor({ timeout: 5000 });
  const before = await card.getAttribute('class');
  const t0 = await card.locator('.card-foot').textContent();
  await page.waitForTimeout(2500);
  return `${before}; "${t0}"`;
});

if (video) {
  await check('upload with progress -> job -> report', async () => {
    await page.goto(`${base}/#/uploads`);
    await page.getByTestId('upload-input').setInputFiles(video);
    await page.getByTestId('upload-submit').click();
    const row = page
      .locator('[data-testid^="job-row-"][data-status="queued"], [data-testid^="job-row-"][data-status="running"]')
      .first();
    await row.waitFor({ timeout: 15000 });
    const id = (await row.getAttribute('data-testid')).replace('job-row-', '');
    const seen = new Set();
    for (let i = 0; i < 90; i++) {
      const v = await page.getByTestId(`job-progress-${id}`).getAttribute('data-value');
      seen.add(v);
      if (await page.getByTestId(`job-report-link-${id}`).count()) break;
      await page.waitForTimeout(1000);
    }
    const link = await page.getByTestId(`job-report-link-${id}`).getAttribute('href', { timeout: 1000 });
    return `job ${id}, ${seen.size} distinct progress values, report ${link}`;
  });
}

await check('connection indicator', async () => {
  await page.goto(`${base}/#/rooms/${roomId}`);
  await page.waitForFunction(
    () => document.querySelector('[data-testid="live-connection"]')?.getAttribute('data-state') === 'live',
    null,
    { timeout: 5000 },
  );
  return await page.getByTestId('live-connection').getAttribute('data-state');
});

if (user === 'admin') {
  await check('admin: create room, user, push config', async () => {
    await page.goto(`${base}/#/admin`);
    const suffix = Date.now() % 100000;
    await page.getByTestId('room-name').fill(`Check Room ${suffix}`);
    await page.getByTestId('room-building').fill('Check Building');
    await page.getByTestId('room-create-submit').click();
    await page.getByTestId('admin-rooms').getByText(`Check Room ${suffix}`).waitFor({ timeout: 5000 });
    await page.getByTestId('user-username').fill(`spk${suffix}`);
    await page.getByTestId('user-password').fill('speaker-password');
    await page.getByTestId('user-create-submit').click();
    await page.getByTestId(`user-row-spk${suffix}`).waitFor({ timeout: 5000 });
    const cfg = page.locator('[data-testid^="device-config-"]').first();
    await cfg.click();
    await page.getByTestId('config-emotion-enabled').uncheck({ force: true });
    await page.getByTestId('config-submit').click();
    const note = await page.locator('.note-ok, .note-error').first().textContent({ timeout: 5000 });
    // Switch emotion back on so the room keeps reporting emotions.
    await page.getByTestId('config-emotion-enabled').check({ force: true });
    await page.getByTestId('config-submit').click();
    await page.waitForTimeout(500);
    return `room + user created; config: "${note}"`;
  });
  await check('installer: create device', async () => {
    await page.goto(`${base}/#/installer`);
    await page.getByTestId('device-id').fill(`chk-${Date.now() % 100000}`);
    await page.getByTestId('device-create-submit').click();
    await page.getByTestId('device-qr').waitFor({ timeout: 5000 });
    const yaml = await page.getByTestId('device-config-yaml').textContent();
    const src = await page.getByTestId('device-qr').getAttribute('src');
    return `yaml ${yaml.split('\n').length} lines, qr ${src.slice(0, 22)}… (${src.length} chars)`;
  });
}

await browser.close();
