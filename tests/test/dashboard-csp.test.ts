import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, loginInBrowser, watchCsp } from './support/browser';
import { startTestCloud } from './support/platform';

let browser: Browser;
let platform: Awaited<ReturnType<typeof startTestCloud>>;

beforeAll(async () => {
  browser = await launchChromium();
  // Public docs so Swagger UI is checked against the same policy.
  platform = await startTestCloud({ LECTERN_PUBLIC_DOCS: '1' });
  await platform.admin.request('POST', '/api/rooms', { id: 'csp-room', name: 'CSP room', buildingName: 'Main' });
});
afterAll(async () => {
  await platform?.close();
  await browser?.close();
});

describe('dashboard under the Content-Security-Policy (issue 12 part 4)', () => {
  it('renders every page and the live stream without a CSP violation, with a ticket and no token in the URL', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const violations = await watchCsp(page);
    const liveUrls: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/live?')) liveUrls.push(r.url());
    });
    try {
      const base = platform.cloud.httpUrl;
      const res = await page.goto(`${base}/`);
      expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
      await loginInBrowser(page, base, 'admin', 'e2e-admin-password');
      for (const hash of ['#/rooms', '#/sessions', '#/uploads', '#/installer', '#/admin']) {
        await page.goto(`${base}/${hash}`);
        await page.waitForLoadState('networkidle');
      }
      await page.goto(`${base}/#/rooms/csp-room`);
      await expect
        .poll(() => page.getByTestId('live-connection').getAttribute('data-state'), { timeout: 10_000 })
        .toBe('live');
      expect(liveUrls.length).toBeGreaterThan(0);
      for (const u of liveUrls) {
        expect(u).toContain('ticket=');
        expect(u).not.toContain('token=');
      }
      await page.goto(`${base}/api/docs`);
      await page.locator('.swagger-ui').first().waitFor({ timeout: 10_000 });
      await page.waitForLoadState('networkidle');
      expect(violations).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
