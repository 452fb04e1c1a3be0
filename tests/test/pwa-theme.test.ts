import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startSimulator } from '@lectern/lab';
import { launchChromium, loginInBrowser, watchCsp } from './support/browser';
import { ADMIN_PASSWORD, screenshotPath, startTestCloud } from './support/platform';

// Issue 15 part 6: the dashboard at the lectern — installable (manifest, icons, offline shell), light and dark
// themes following the system with a manual override, and a phone layout that does not clip.

let browser: Browser;
let platform: Awaited<ReturnType<typeof startTestCloud>>;
let base: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  // Auto sessions after 1 s of faces: the Sessions page has a running session row to lay out.
  platform = await startTestCloud({ LECTERN_AUTO_SESSION_START_S: '1' });
  base = platform.cloud.httpUrl;
  await platform.admin.request('POST', '/api/rooms', { id: 'aula-magna', name: 'Aula Magna', buildingName: 'Main' });
  await platform.admin.request('POST', '/api/rooms', { id: 'room-b12', name: 'Room B12', buildingName: 'Annex' });
  const dev = await platform.admin.request<{ credentials: { username: string; password: string } }>(
    'POST',
    '/api/devices',
    { id: 'aula-magna-cam', roomId: 'aula-magna' },
  );
  const sim = await startSimulator({
    brokerUrl: platform.cloud.mqttUrl,
    devices: [{ deviceId: 'aula-magna-cam', roomId: 'aula-magna', ...dev.credentials }],
    hz: 2,
    faces: [8, 14],
  });
  cleanups.push(() => sim.stop());
});
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  await platform?.close();
  await browser?.close();
});

// Strings: this package compiles without the DOM library.
const bodyBackground = (page: Page) => page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
const themeAttr = (page: Page) => page.evaluate<string | null>("document.documentElement.getAttribute('data-theme')");

async function roomsPage(context: BrowserContext): Promise<{ page: Page; violations: string[] }> {
  const page = await context.newPage();
  const violations = await watchCsp(page);
  await loginInBrowser(page, base, 'admin', ADMIN_PASSWORD);
  await page.goto(`${base}/#/rooms`);
  await page.getByTestId('room-card-aula-magna').waitFor();
  return { page, violations };
}

describe('installable web app (issue 15 part 6)', () => {
  it('serves the manifest with its icons, and the service worker without a long cache', async () => {
    const res = await fetch(`${base}/manifest.webmanifest`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/manifest\+json/);
    const manifest = (await res.json()) as {
      name: string;
      short_name: string;
      start_url: string;
      display: string;
      theme_color: string;
      background_color: string;
      icons: { src: string; sizes: string; type: string; purpose?: string }[];
    };
    expect(manifest.name).toMatch(/Lectern/);
    expect(manifest.short_name).toBe('Lectern');
    expect(manifest.display).toBe('standalone');
    expect(new URL(manifest.start_url, res.url).href).toBe(`${base}/#/rooms`);
    expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
    expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i);
    const sizes = manifest.icons.map((i) => `${i.sizes} ${i.purpose ?? 'any'}`);
    expect(sizes).toEqual(expect.arrayContaining(['192x192 any', '512x512 any', '512x512 maskable']));
    for (const icon of manifest.icons) {
      const img = await fetch(new URL(icon.src, res.url));
      expect(img.status, icon.src).toBe(200);
      expect(img.headers.get('content-type'), icon.src).toBe('image/png');
      const bytes = Buffer.from(await img.arrayBuffer());
      // PNG signature, then the IHDR width and height match the declared size.
      expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(`${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}`).toBe(icon.sizes);
    }

    const sw = await fetch(`${base}/sw.js`);
    expect(sw.status).toBe(200);
    expect(sw.headers.get('content-type')).toMatch(/^(text|application)\/javascript/);
    expect(sw.headers.get('cache-control')).toBe('no-cache');
    const csp = sw.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("manifest-src 'self'");
    expect(csp).toContain("worker-src 'self'");
    // Still a hashed bundle under /assets with the ordinary cache.
    const html = await (await fetch(`${base}/`)).text();
    expect(html).toContain('<link rel="manifest" href="/manifest.webmanifest"');
  });

  it('registers the service worker and shows the app shell with an offline message when the network is gone', async () => {
    const context = await browser.newContext({ viewport: { width: 1180, height: 820 } });
    try {
      const { page, violations } = await roomsPage(context);
      // The worker takes control of the open page (clients.claim) once the shell is cached.
      await expect
        .poll(() => page.evaluate<boolean>('Boolean(navigator.serviceWorker.controller)'), { timeout: 15_000 })
        .toBe(true);
      await expect
        .poll(
          () =>
            page.evaluate<string[]>(
              "caches.open('lectern-shell-v1').then((c) => c.keys()).then((ks) => ks.map((k) => new URL(k.url).pathname))",
            ),
          { timeout: 15_000 },
        )
        .toEqual(expect.arrayContaining(['/', expect.stringMatching(/^\/assets\/.+\.js$/)]));
      // Never an API response in the cache.
      const cached = await page.evaluate<string[]>(
        'caches.keys().then((names) => Promise.all(names.map((n) => caches.open(n).then((c) => c.keys())))).then((all) => all.flat().map((k) => new URL(k.url).pathname))',
      );
      expect(cached.filter((p) => p.startsWith('/api'))).toEqual([]);
      expect(await page.getByTestId('offline-banner').count()).toBe(0);

      await context.setOffline(true);
      const res = await page.reload();
      expect(res?.fromServiceWorker()).toBe(true);
      await page.locator('.topbar .brand').waitFor();
      await page.getByTestId('offline-banner').waitFor();
      expect(await page.getByTestId('offline-banner').textContent()).toMatch(/Offline/);
      // The stored shell, marked by the worker: the app knows it is not the live one.
      expect(await page.locator('meta[name="lectern-offline-shell"]').count()).toBe(1);
      await page.screenshot({ path: '/tmp/pwa-offline-shell.png' });

      // Back online, the stored shell finds the cloud again and reloads itself into the live app.
      await Promise.all([page.waitForEvent('load', { timeout: 15_000 }), context.setOffline(false)]);
      await page.getByTestId('room-card-aula-magna').waitFor();
      expect(await page.locator('meta[name="lectern-offline-shell"]').count()).toBe(0);
      expect(await page.getByTestId('offline-banner').count()).toBe(0);
      expect(violations).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('themes (issue 15 part 6)', () => {
  it('follows the system light and dark schemes, and a manual choice wins and persists', async () => {
    const context = await browser.newContext({ viewport: { width: 1180, height: 820 } });
    try {
      const { page, violations } = await roomsPage(context);
      await expect
        .poll(() => page.getByTestId('room-card-aula-magna').locator('.big').first().textContent(), {
          timeout: 10_000,
        })
        .toMatch(/^\d+$/);

      await page.emulateMedia({ colorScheme: 'light' });
      const light = await bodyBackground(page);
      await page.waitForTimeout(300);
      await page.screenshot({ path: screenshotPath('theme-light-rooms.png') });
      await page.emulateMedia({ colorScheme: 'dark' });
      const dark = await bodyBackground(page);
      await page.waitForTimeout(300);
      await page.screenshot({ path: screenshotPath('theme-dark-rooms.png') });
      expect(light).not.toBe(dark);
      expect(await themeAttr(page)).toBeNull();

      // The system says dark; the speaker picks Light: it wins, and survives a reload.
      await page.getByTestId('theme-select').selectOption('light');
      expect(await themeAttr(page)).toBe('light');
      expect(await bodyBackground(page)).toBe(light);
      await page.reload();
      await page.getByTestId('room-card-aula-magna').waitFor();
      expect(await themeAttr(page)).toBe('light');
      expect(await bodyBackground(page)).toBe(light);
      expect(await page.getByTestId('theme-select').inputValue()).toBe('light');

      // The system says light; Dark wins.
      await page.emulateMedia({ colorScheme: 'light' });
      await page.getByTestId('theme-select').selectOption('dark');
      expect(await bodyBackground(page)).toBe(dark);

      // Back to System: follows the emulated scheme again.
      await page.getByTestId('theme-select').selectOption('system');
      expect(await themeAttr(page)).toBeNull();
      expect(await bodyBackground(page)).toBe(light);
      expect(violations).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('phone layout (issue 15 part 6)', () => {
  it('keeps the top bar and pages inside 390 px, with every nav item reachable', async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    try {
      const { page, violations } = await roomsPage(context);
      await page.emulateMedia({ colorScheme: 'dark' });
      const overflow = () =>
        page.evaluate<{ doc: number; topbar: number; topbarClient: number }>(`({
          doc: document.documentElement.scrollWidth,
          topbar: document.querySelector('.topbar').scrollWidth,
          topbarClient: document.querySelector('.topbar').clientWidth,
        })`);
      const o = await overflow();
      expect(o.doc).toBeLessThanOrEqual(390);
      expect(o.topbar).toBeLessThanOrEqual(o.topbarClient);
      await page.screenshot({ path: screenshotPath('phone-390-rooms.png') });

      // The nav scrolls sideways rather than clipping: its last item can be scrolled into view and tapped.
      const links = page.locator('.nav a');
      const count = await links.count();
      expect(count).toBe(7);
      const last = links.nth(count - 1);
      await last.scrollIntoViewIfNeeded();
      const box = await last.boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
      await last.tap();
      await page.waitForURL((u) => u.hash.startsWith('#/audit'));

      // Every page the nav reaches stays inside the screen too.
      for (const hash of ['#/rooms', '#/sessions', '#/uploads', '#/installer', '#/alerts', '#/admin', '#/audit']) {
        await page.goto(`${base}/${hash}`);
        await page.waitForLoadState('networkidle');
        await page.waitForTimeout(500);
        // Settled layout (charts size themselves after the first frame); on failure the message names the
        // elements that stick out.
        let width = 0;
        let wide: string[] = [];
        for (const deadline = Date.now() + 5_000; Date.now() < deadline; await page.waitForTimeout(250)) {
          width = (await overflow()).doc;
          wide = await page.evaluate<string[]>(`[...document.querySelectorAll('body *')]
            .filter((e) => e.getBoundingClientRect().right > 391)
            .slice(0, 6)
            .map((e) => e.tagName.toLowerCase() + '.' + [...e.classList].join('.') + ' ' + Math.round(e.getBoundingClientRect().right))`);
          if (width <= 390) break;
        }
        expect(width, `${hash} overflows: ${wide.join(', ')}`).toBeLessThanOrEqual(390);
      }
      expect(violations).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
