import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import mqtt from 'mqtt';
import { parse } from 'yaml';
import { SnapshotEntity } from '@lectern/cloud';
import { aggregateFaces, encode, topicFor } from '@lectern/protocol';
import { startSimulator, type Simulator } from '@lectern/lab';
import { DataSource } from 'typeorm';
import { launchChromium, loginInBrowser } from './support/browser';
import { screenshotPath, startTestCloud } from './support/platform';
import { waitFor } from './support/wait';

let browser: Browser;
let platform: Awaited<ReturnType<typeof startTestCloud>>;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  // Auto sessions start after 1 s of faces, so the speaker always finds one running and takes it over.
  platform = await startTestCloud({ LECTERN_AUTO_SESSION_START_S: '1' });
  await platform.admin.request('POST', '/api/rooms', { id: 'aula-magna', name: 'Aula Magna', buildingName: 'Main' });
  await platform.admin.request('POST', '/api/rooms', { id: 'other-room', name: 'Other room', buildingName: 'Main' });
  await platform.admin.request('POST', '/api/users', {
    username: 'speaker',
    password: 'speaker-password',
    role: 'speaker',
    roomIds: ['aula-magna'],
  });
});
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  await platform?.close();
  await browser?.close();
});

describe('speaker', () => {
  let sim: Simulator;
  beforeAll(async () => {
    const dev = await platform.admin.request<{ credentials: { username: string; password: string } }>(
      'POST',
      '/api/devices',
      { id: 'aula-magna-cam', roomId: 'aula-magna' },
    );
    sim = await startSimulator({
      brokerUrl: platform.cloud.mqttUrl,
      devices: [{ deviceId: 'aula-magna-cam', roomId: 'aula-magna', ...dev.credentials }],
      hz: 4,
      faces: [6, 12],
    });
    cleanups.push(() => sim.stop());
  });

  it('watches the room live, runs a session, opens its report and downloads CSV and PDF', async () => {
    const page = await browser.newPage({ viewport: { width: 820, height: 1180 }, acceptDownloads: true });
    try {
      await loginInBrowser(page, platform.cloud.httpUrl, 'speaker', 'speaker-password');
      await page.goto(`${platform.cloud.httpUrl}/#/rooms/aula-magna`);
      const faces = page.getByTestId('live-faces');
      await expect.poll(async () => Number(await faces.textContent()), { timeout: 10_000 }).toBeGreaterThanOrEqual(6);
      // Live: the count keeps changing without a reload while the simulated audience moves.
      const seen = new Set<string>();
      await waitFor(
        async () => {
          seen.add((await faces.textContent()) ?? '');
          return seen.size >= 2;
        },
        'the live face count to change',
        15_000,
        200,
      );

      // Faces have been in the room for a while, so an automatic session is running; the speaker's start ends it.
      await expect.poll(() => page.getByTestId('session-running').textContent(), { timeout: 10_000 }).toMatch(/^Auto/);
      await page.screenshot({ path: screenshotPath('e2e-speaker-auto-session.png') });
      await page.getByTestId('session-start').click();
      await page.getByTestId('session-stop').waitFor();
      await page.waitForTimeout(3_000);
      await page.getByTestId('session-stop').click();
      await page.getByTestId('session-start').waitFor();

      const sessions = await platform.admin.request<{ id: string; endedAt: number | null; source: string }[]>(
        'GET',
        '/api/sessions?roomId=aula-magna',
      );
      // Nothing runs after the speaker's stop although the audience is still there, and the auto one was ended.
      expect(sessions.filter((s) => !s.endedAt)).toEqual([]);
      expect(sessions.map((s) => s.source).sort()).toEqual(['auto', 'manual']);
      const session = sessions.find((s) => s.source === 'manual' && s.endedAt);
      expect(session).toBeTruthy();
      await page.screenshot({ path: screenshotPath('e2e-speaker-live-portrait.png') });

      await page.goto(`${platform.cloud.httpUrl}/#/sessions/${session!.id}`);
      await page.getByTestId('report-timeline').waitFor();
      const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-csv').click()]);
      const csvText = readFileSync(await csv.path(), 'utf8');
      const lines = csvText.trim().split(/\r?\n/);
      expect(lines.length).toBeGreaterThan(1);
      expect(lines[0]).toMatch(/valence/i);
      const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-pdf').click()]);
      expect(
        readFileSync(await pdf.path())
          .subarray(0, 5)
          .toString(),
      ).toBe('%PDF-');
      await page.screenshot({ path: screenshotPath('e2e-session-report-portrait.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('cannot see a room that is not theirs', async () => {
    const res = await fetch(`${platform.cloud.httpUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'speaker', password: 'speaker-password' }),
    });
    const { token } = (await res.json()) as { token: string };
    const other = await fetch(`${platform.cloud.httpUrl}/api/rooms/other-room/timeline`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(other.status).toBe(403);
    const rooms = (await (
      await fetch(`${platform.cloud.httpUrl}/api/rooms`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { id: string }[];
    expect(rooms.map((r) => r.id)).toEqual(['aula-magna']);
  });
});

describe('faces too small to read', () => {
  const room = 'far-hall';
  const devices: Record<'near' | 'far', mqtt.MqttClient> = {} as never;
  const seq = { near: 0, far: 0 };
  /** A snapshot from an agent with the readable-size gate: `read` of `faces` classified, the rest too small. */
  const publish = (cam: 'near' | 'far', faces: number, read: number) => {
    const deviceId = `${room}-${cam}`;
    const p = [0.02, 0.01, 0.02, 0.8, 0.05, 0.05, 0.05];
    const tracks = Array.from({ length: read }, (_, i) => ({ id: i + 1, p, frontal: true, ageS: 1 }));
    const snapshot = {
      v: 1 as const,
      deviceId,
      roomId: room,
      seq: ++seq[cam],
      capturedAt: Date.now(),
      faces,
      tracks,
      aggregate: aggregateFaces(tracks),
      model: { id: 'lectern-emotion-int8', version: '0.2.0' },
      emotionEnabled: true,
      reading: { read, tooSmall: faces - read, minReadablePx: 16 },
    };
    return devices[cam].publishAsync(topicFor('snapshot', deviceId), encode('snapshot', snapshot), { qos: 1 });
  };

  beforeAll(async () => {
    await platform.admin.request('POST', '/api/rooms', { id: room, name: 'Far hall', buildingName: 'Main' });
    for (const cam of ['near', 'far'] as const) {
      const dev = await platform.admin.request<{ credentials: { username: string; password: string } }>(
        'POST',
        '/api/devices',
        { id: `${room}-${cam}`, roomId: room },
      );
      devices[cam] = await mqtt.connectAsync(platform.cloud.mqttUrl, {
        ...dev.credentials,
        clientId: `lectern-${dev.credentials.username}`,
        reconnectPeriod: 0,
      });
      const client = devices[cam];
      cleanups.push(() => client.endAsync(true));
      // As a real agent does on connect, so the fleet view shows the camera online.
      const status = {
        v: 1 as const,
        deviceId: `${room}-${cam}`,
        state: 'online' as const,
        since: Date.now(),
        model: { id: 'lectern-emotion-int8', version: '0.2.0' },
      };
      await client.publishAsync(topicFor('status', `${room}-${cam}`), encode('status', status), {
        qos: 1,
        retain: true,
      });
    }
  });

  it('shows how many listeners are read, why the others are not, and when too few are read', async () => {
    const page = await browser.newPage({ viewport: { width: 1180, height: 900 } });
    try {
      await loginInBrowser(page, platform.cloud.httpUrl, 'admin', 'e2e-admin-password');
      // The front rows are read, the back rows are too small for the far camera: 14 listeners, 6 read.
      await publish('near', 5, 5);
      await publish('far', 9, 1);
      await page.goto(`${platform.cloud.httpUrl}/#/rooms/${room}`);
      await expect
        .poll(() => page.getByTestId('live-counts').textContent(), { timeout: 10_000 })
        .toBe('14 listeners, 6 read');
      const tooSmall = page.getByTestId('live-too-small');
      expect(await tooSmall.textContent()).toMatch(/^8 too small to read \(under 16 px\)/);
      expect(await tooSmall.textContent()).toMatch(/camera sees these faces too small/);
      expect(await page.getByTestId('live-dominant').textContent()).toBe('Happy');
      await page.screenshot({ path: screenshotPath('e2e-live-too-small.png') });

      // The front rows leave: 9 listeners but only 1 read, under the minimum group size of 3.
      await publish('near', 0, 0);
      await expect
        .poll(() => page.getByTestId('live-counts').textContent(), { timeout: 10_000 })
        .toBe('9 listeners, 1 read');
      expect(await page.getByTestId('live-suppressed').textContent()).toBe(
        'Fewer than 3 listeners read (1 of 9) — emotions hidden for privacy',
      );
      // Attention is everyone's and 9 listeners are enough for it.
      expect(await page.getByTestId('live-attention').textContent()).toMatch(/%$/);

      await page.goto(`${platform.cloud.httpUrl}/#/rooms`);
      await expect
        .poll(() => page.getByTestId(`room-read-${room}`).textContent(), { timeout: 10_000 })
        .toBe('1 read · 8 too small');
      expect(await page.getByTestId(`room-mood-${room}`).textContent()).toBe('hidden (< 3 read)');

      // The installer's view: most faces the far camera saw lately were under its readable size.
      await devices.far.publishAsync(
        topicFor('telemetry', `${room}-far`),
        encode('telemetry', {
          v: 1,
          deviceId: `${room}-far`,
          ts: Date.now(),
          fps: 10,
          detectMs: 20,
          classifyMs: 3,
          cpuPercent: 40,
          memoryMb: 180,
          temperatureC: 50,
          outboxDepth: 0,
          outboxDropped: 0,
          uptimeS: 60,
          source: { state: 'ok', reconnects: 0 },
          faceSizes: { counts: [0, 8, 0, 0, 1, 0, 0, 0, 0], minReadablePx: 16 },
        }),
        { qos: 0 },
      );
      await page.goto(`${platform.cloud.httpUrl}/#/installer`);
      const cell = page.getByTestId(`device-face-sizes-${room}-far`);
      await expect.poll(() => cell.textContent(), { timeout: 10_000 }).toMatch(/^89% < 16 px ⚠/);
      expect(await cell.locator('.warn').count()).toBeGreaterThan(0);
      await cell.scrollIntoViewIfNeeded();
      await page.screenshot({ path: screenshotPath('e2e-installer-face-sizes.png') });
    } finally {
      await page.close();
    }
  });
});

describe('admin and installer', () => {
  it("sets a room's timetable; an overlapping slot is refused with the reason and nothing is saved", async () => {
    const page = await browser.newPage({ viewport: { width: 1180, height: 900 } });
    // A weekday three days away, so no slot is on now and no schedule session starts during the test.
    const weekday = String((new Date().getDay() + 3) % 7);
    try {
      await loginInBrowser(page, platform.cloud.httpUrl, 'admin', 'e2e-admin-password');
      await page.goto(`${platform.cloud.httpUrl}/#/admin`);
      await page.getByTestId('room-timetable-other-room').click();
      await page.getByTestId('timetable-slots').waitFor({ state: 'attached' });
      await page.getByTestId('timetable-add').click();
      await page.getByTestId('timetable-add').click();
      const fill = async (i: number, start: string, end: string, title: string) => {
        const slot = page.getByTestId(`timetable-slot-${i}`);
        await slot.getByTestId('slot-weekday').selectOption(weekday);
        await slot.getByTestId('slot-start').fill(start);
        await slot.getByTestId('slot-end').fill(end);
        await slot.getByTestId('slot-title').fill(title);
      };
      await fill(0, '09:00', '10:30', 'Physics 101');
      await fill(1, '10:00', '11:00', 'Overlapping seminar');
      await page.getByTestId('timetable-save').click();
      await expect
        .poll(() => page.getByTestId('timetable-form').getByRole('alert').textContent())
        .toMatch(/overlaps slot 0/);
      const none = await platform.admin.request<{ slots: unknown[] }>('GET', '/api/rooms/other-room/schedule');
      expect(none.slots).toEqual([]);

      await fill(1, '10:45', '12:00', 'Seminar');
      await page.getByTestId('timetable-save').click();
      await expect.poll(() => page.getByTestId('timetable-saved').textContent()).toMatch(/2 slots/);
      await page.getByTestId('timetable-form').scrollIntoViewIfNeeded();
      await page.screenshot({ path: screenshotPath('e2e-admin-timetable.png') });
      const saved = await platform.admin.request<{ slots: { weekday: number; start: string; title: string }[] }>(
        'GET',
        '/api/rooms/other-room/schedule',
      );
      expect(saved.slots.map((s) => [s.weekday, s.start, s.title])).toEqual([
        [Number(weekday), '09:00', 'Physics 101'],
        [Number(weekday), '10:45', 'Seminar'],
      ]);
    } finally {
      await page.close();
    }
  });

  it('creates a device in the dashboard; its credentials connect, wrong ones and foreign topics are refused', async () => {
    const page = await browser.newPage({ viewport: { width: 1180, height: 820 } });
    let yamlText = '';
    try {
      await loginInBrowser(page, platform.cloud.httpUrl, 'admin', 'e2e-admin-password');
      await page.goto(`${platform.cloud.httpUrl}/#/installer`);
      await page.getByTestId('device-id').fill('aula-magna-cam-2');
      await page.getByTestId('device-room').selectOption('aula-magna');
      await page.getByTestId('device-create-submit').click();
      await page.getByTestId('device-credentials').waitFor();
      yamlText = (await page.getByTestId('device-config-yaml').textContent()) ?? '';
      await expect
        .poll(() =>
          page.getByTestId('device-qr').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
        )
        .toBeGreaterThan(50);
      await page.screenshot({ path: screenshotPath('e2e-installer-created-device.png') });
    } finally {
      await page.close();
    }

    const config = parse(yamlText) as { mqtt?: { url?: string; username?: string; password?: string } };
    const flat = JSON.stringify(config);
    const username = config.mqtt?.username ?? /"username":"([^"]+)"/.exec(flat)?.[1];
    const password = config.mqtt?.password ?? /"password":"([^"]+)"/.exec(flat)?.[1];
    expect(username).toBeTruthy();
    expect(password).toBeTruthy();

    await expect(
      mqtt.connectAsync(platform.cloud.mqttUrl, { username, password: 'wrong-password', reconnectPeriod: 0 }),
    ).rejects.toThrow();
    const device = await mqtt.connectAsync(platform.cloud.mqttUrl, {
      username,
      password,
      clientId: `lectern-${username}`,
      reconnectPeriod: 0,
    });
    cleanups.push(() => device.endAsync(true));

    // A publish to another device's topic is refused by the broker and stores nothing.
    const base = {
      v: 1 as const,
      roomId: 'aula-magna',
      capturedAt: Date.now(),
      faces: 0,
      tracks: [],
      aggregate: { distribution: [0, 0, 0, 0, 0, 0, 0], dominant: null, valence: 0, attention: 0 },
      model: { id: 'x', version: '0' },
      emotionEnabled: true,
    };
    const closed = new Promise<void>((resolve) => device.once('close', () => resolve()));
    await Promise.race([
      device
        .publishAsync(
          topicFor('snapshot', 'aula-magna-cam'),
          encode('snapshot', { ...base, deviceId: 'aula-magna-cam', seq: 999_999 }),
          { qos: 1 },
        )
        .catch(() => undefined),
      closed,
    ]);
    const db = platform.cloud.app.get(DataSource);
    await new Promise((r) => setTimeout(r, 500));
    expect(await db.getRepository(SnapshotEntity).countBy({ deviceId: 'aula-magna-cam', seq: 999_999 })).toBe(0);

    // Its own topic works.
    const own = await mqtt.connectAsync(platform.cloud.mqttUrl, {
      username,
      password,
      clientId: username,
      reconnectPeriod: 0,
    });
    cleanups.push(() => own.endAsync(true));
    await own.publishAsync(
      topicFor('snapshot', 'aula-magna-cam-2'),
      encode('snapshot', { ...base, deviceId: 'aula-magna-cam-2', seq: 1 }),
      { qos: 1 },
    );
    await waitFor(
      async () => (await db.getRepository(SnapshotEntity).countBy({ deviceId: 'aula-magna-cam-2' })) === 1,
      'the own-topic snapshot to be stored',
    );

    // A config pushed from the admin page reaches the device on its own (retained) config topic.
    const configTopic = topicFor('config', 'aula-magna-cam-2');
    const received = new Promise<{ snapshotHz?: number; revision: number }>((resolve) =>
      own.on('message', (topic, payload) => {
        if (topic === configTopic) resolve(JSON.parse(payload.toString()) as { snapshotHz?: number; revision: number });
      }),
    );
    await own.subscribeAsync(configTopic, { qos: 1 });
    const adminPage = await browser.newPage({ viewport: { width: 1180, height: 820 } });
    try {
      await loginInBrowser(adminPage, platform.cloud.httpUrl, 'admin', 'e2e-admin-password');
      await adminPage.goto(`${platform.cloud.httpUrl}/#/admin`);
      await adminPage.getByTestId('device-config-aula-magna-cam-2').click();
      await adminPage.getByTestId('config-snapshot-hz').fill('2');
      await adminPage.getByTestId('config-submit').click();
      await expect
        .poll(() => adminPage.getByTestId('device-config-form').getByRole('status').textContent())
        .toMatch(/Config pushed/);
    } finally {
      await adminPage.close();
    }
    expect((await received).snapshotHz).toBe(2);
  });

  it('shows why a login failed and stays on the login page', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${platform.cloud.httpUrl}/#/login`);
      await page.getByTestId('login-username').fill('speaker');
      await page.getByTestId('login-password').fill('not-the-password');
      await page.getByTestId('login-submit').click();
      await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/invalid|wrong|incorrect/i);
      expect(page.url()).toContain('#/login');
    } finally {
      await page.close();
    }
  });
});
