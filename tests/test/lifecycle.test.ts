import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCloud, type CloudHandle } from '@lectern/cloud';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api';
import { launchChromium } from './support/browser';

// Issue 14 parts 1 and 5 in the dashboard: the forced change of a generated admin password, managing devices,
// rooms and users, and the installer page a device's QR code opens. Screenshots go to LECTERN_SCREENSHOT_DIR
// (default: a temp folder, printed).

const SHOTS = process.env.LECTERN_SCREENSHOT_DIR ?? mkdtempSync(join(tmpdir(), 'lectern-lifecycle-shots-'));
mkdirSync(SHOTS, { recursive: true });

describe('lifecycle in the dashboard', () => {
  let browser: Browser;
  let cloud: CloudHandle;
  let dataDir: string;
  let page: Page;
  const admin = (): ApiClient => new ApiClient(cloud.httpUrl);

  beforeAll(async () => {
    browser = await launchChromium();
    dataDir = mkdtempSync(join(tmpdir(), 'lectern-e2e-life-'));
    const saved = process.env.LECTERN_ADMIN_PASSWORD;
    delete process.env.LECTERN_ADMIN_PASSWORD;
    try {
      // No LECTERN_ADMIN_PASSWORD: a first run with a generated admin password, as after `npm start`.
      cloud = await startCloud({
        LECTERN_HTTP_PORT: '0',
        LECTERN_MQTT_PORT: 'auto',
        LECTERN_DATA_DIR: dataDir,
        LECTERN_LOG_LEVEL: 'warn',
      });
    } finally {
      if (saved !== undefined) process.env.LECTERN_ADMIN_PASSWORD = saved;
    }
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.on('dialog', (d) => void d.accept());
    console.log(`lifecycle screenshots in ${SHOTS}`);
  });
  afterAll(async () => {
    await browser?.close();
    await cloud?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('makes the admin choose a password at first login', async () => {
    await page.goto(`${cloud.httpUrl}/#/login`);
    await page.getByTestId('login-username').fill('admin');
    await page.getByTestId('login-password').fill(cloud.generatedAdminPassword!);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('forced-password-change').waitFor();
    await page.screenshot({ path: join(SHOTS, 'forced-password-change.png') });
    await page.getByTestId('password-new').fill('my-own-admin-password');
    await page.getByTestId('password-repeat').fill('my-own-admin-password');
    await page.getByTestId('password-submit').click();
    await page.waitForURL((u) => u.hash.startsWith('#/rooms'));
    const api = admin();
    await api.login('admin', 'my-own-admin-password');
  });

  it('moves and deletes a device, renames a room and resets a user from the Admin page', async () => {
    const api = admin();
    await api.login('admin', 'my-own-admin-password');
    await api.request('POST', '/api/rooms', { id: 'hall-a', name: 'Hall A', buildingName: 'Main' });
    await api.request('POST', '/api/rooms', { id: 'hall-b', name: 'Hall B', buildingName: 'Main' });
    await api.request('POST', '/api/devices', { id: 'hall-a-cam', roomId: 'hall-a' });
    await api.request('POST', '/api/users', {
      username: 'speaker-1',
      password: 'speaker-password',
      role: 'speaker',
      roomIds: ['hall-a'],
    });

    await page.goto(`${cloud.httpUrl}/#/admin`);
    await page.getByTestId('device-manage-hall-a-cam').click();
    const editor = page.getByTestId('device-edit-hall-a-cam');
    await editor.getByTestId('device-edit-name').fill('Front camera');
    await editor.getByTestId('device-edit-room').selectOption('hall-b');
    await page.screenshot({ path: join(SHOTS, 'admin-device-manage.png'), fullPage: true });
    await editor.getByTestId('device-edit-save').click();
    await expect
      .poll(async () => (await api.request<{ id: string; roomId: string }[]>('GET', '/api/devices'))[0]?.roomId)
      .toBe('hall-b');

    await page.getByTestId('room-manage-hall-a').click();
    await page.getByTestId('room-edit-name').fill('Hall A (north)');
    await page.getByTestId('room-edit-save').click();
    await page.getByText('Hall A (north)').first().waitFor();

    await page.getByTestId('user-manage-speaker-1').click();
    await page.getByTestId('user-reset').click();
    const oneTime = await page.getByTestId('user-one-time-password').textContent();
    expect(oneTime?.length).toBeGreaterThanOrEqual(12);
    await page.screenshot({ path: join(SHOTS, 'admin-user-reset.png'), fullPage: true });

    await page.getByTestId('device-manage-hall-a-cam').click();
    await page.getByTestId('device-delete').click();
    await expect.poll(async () => (await api.request<unknown[]>('GET', '/api/devices')).length).toBe(0);
    const actions = (await api.request<{ action: string }[]>('GET', '/api/audit?limit=50')).map((r) => r.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'user.password',
        'device.rename',
        'device.move',
        'room.update',
        'user.password.reset',
        'device.delete',
      ]),
    );
  });

  it('opens the installer page of the device a QR code names, and re-keys it', async () => {
    const api = admin();
    await api.login('admin', 'my-own-admin-password');
    const created = await api.request<{ installUrl: string }>('POST', '/api/devices', {
      id: 'hall-b-cam',
      roomId: 'hall-b',
    });
    await page.goto(created.installUrl);
    await page.getByTestId('focused-device').waitFor();
    await page.getByTestId('focused-rekey').click();
    await page.getByTestId('device-password').waitFor();
    await page.screenshot({ path: join(SHOTS, 'installer-focused-device.png'), fullPage: true });
    await expect(page.getByTestId('device-config-yaml').textContent()).resolves.toContain('hall-b-cam');
  });
});
