import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, loginInBrowser } from './support/browser';
import { screenshotPath, startTestCloud } from './support/platform';
import { waitFor } from './support/wait';

// A real face video from the shared data set (read in place, never copied into the repo).
const CLIP = resolve(__dirname, '../../../shared/data/video/intel_head-pose-face-detection-male.mp4');

interface Job {
  id: string;
  status: string;
  progress: number;
  sessionId: string | null;
  error: string | null;
}

let browser: Browser;

/**
 * Grows the viewport to the whole page (a full-page screenshot would otherwise resize the charts while it is
 * taken) and waits until the charts' canvases stop changing (Chart.js animates updates and resizes).
 */
async function settledFullPage(page: Page): Promise<void> {
  // Strings, not functions: this package's TypeScript has no DOM types.
  const height = await page.evaluate<number>('document.documentElement.scrollHeight');
  await page.setViewportSize({ width: page.viewportSize()?.width ?? 1180, height });
  let previous = '';
  for (let i = 0; i < 30; i++) {
    await page.waitForTimeout(400);
    const now = await page.evaluate<string>(
      "[...document.querySelectorAll('canvas')].map((c) => c.toDataURL()).join('|')",
    );
    if (now === previous) return;
    previous = now;
  }
}

let platform: Awaited<ReturnType<typeof startTestCloud>>;
// The 5 s clip is analysed faster than the page polls, so the upload is the clip looped 30 times (a
// ~2.5 min lecture excerpt; YuNet reads the 40 s version in about 2 s): long enough that progress is seen
// between start and end on any machine.
const workDir = mkdtempSync(join(tmpdir(), 'lectern-upload-e2e-'));
const LECTURE = join(workDir, 'head-pose-x30.mp4');

beforeAll(async () => {
  if (existsSync(CLIP))
    execFileSync('ffmpeg', ['-v', 'error', '-stream_loop', '29', '-i', CLIP, '-c', 'copy', '-y', LECTURE]);
  browser = await launchChromium();
  // One person on camera: a group size of 1 lets the report show the emotions the pipeline found.
  platform = await startTestCloud({ LECTERN_MIN_GROUP_SIZE: '1' });
  await platform.admin.request('POST', '/api/rooms', { id: 'recordings', name: 'Recordings', buildingName: 'Main' });
  await platform.admin.request('POST', '/api/users', {
    username: 'lecturer',
    password: 'lecturer-password',
    role: 'speaker',
    roomIds: ['recordings'],
  });
});
afterAll(async () => {
  await platform?.close();
  await browser?.close();
  rmSync(workDir, { recursive: true, force: true });
});

describe.skipIf(!existsSync(CLIP))('uploaded-video analysis in the dashboard', () => {
  it('uploads a real face video, shows analysis progress, then opens its report', async () => {
    const page = await browser.newPage({ viewport: { width: 1180, height: 900 } });
    try {
      await loginInBrowser(page, platform.cloud.httpUrl, 'lecturer', 'lecturer-password');

      await page.goto(`${platform.cloud.httpUrl}/#/uploads`);
      await page.getByTestId('upload-input').setInputFiles(LECTURE);
      await page.getByTestId('upload-room').selectOption('recordings');
      // Before uploading, the page states the minimum group size (this cloud's K is 1) and what it means.
      await expect
        .poll(async () => (await page.getByTestId('upload-min-group').textContent()) ?? '')
        .toMatch(
          /^Minimum group size: 1\. Emotion figures appear only where at least 1 face was read at the same time/,
        );
      await page.getByTestId('upload-title').fill('Head pose clip');
      await page.getByTestId('upload-submit').click();

      // The job row appears; the API and the page agree on which job it is.
      const row = page.locator('[data-testid^="job-row-"]').first();
      await row.waitFor({ timeout: 15_000 });
      const jobId = ((await row.getAttribute('data-testid')) ?? '').replace('job-row-', '');
      const apiJobs = await platform.admin.request<Job[]>('GET', '/api/jobs');
      expect(apiJobs.map((j) => j.id)).toContain(jobId);

      // Sample what the page shows while the worker runs: the bar must move through intermediate values.
      const bar = page.getByTestId(`job-progress-${jobId}`);
      const shown: { status: string; value: number; text: string }[] = [];
      let screenshotTaken = false;
      await waitFor(
        async () => {
          const status = (await row.getAttribute('data-status')) ?? '';
          const value = Number(await bar.getAttribute('data-value'));
          shown.push({ status, value, text: (await row.textContent()) ?? '' });
          if (status === 'running' && value > 0 && value < 1 && !screenshotTaken) {
            screenshotTaken = true;
            await page.screenshot({ path: screenshotPath('e2e-upload-progress.png') });
          }
          return status === 'done' || status === 'failed' ? status : null;
        },
        'the analysis job to finish in the page',
        180_000,
        150,
      );
      const final = await platform.admin.request<Job>('GET', `/api/jobs/${jobId}`);
      expect(final.error).toBeNull();
      expect(final.status).toBe('done');
      expect(final.progress).toBe(1);
      const intermediate = shown.filter((s) => s.status === 'running' && s.value > 0 && s.value < 1);
      expect(intermediate.length).toBeGreaterThan(0);
      // The percentage is printed next to the bar while it runs.
      expect(intermediate.some((s) => /\d+\s?%/.test(s.text))).toBe(true);
      const values = intermediate.map((s) => s.value);
      expect(values).toEqual([...values].sort((a, b) => a - b));

      await page.getByTestId(`job-report-link-${jobId}`).click();
      await page.waitForURL((u) => u.hash === `#/sessions/${final.sessionId}`);
      await page.getByTestId('report-timeline').waitFor({ timeout: 15_000 });
      const report = await platform.admin.request<{
        session: { source: string; roomId: string | null };
        summary: { peakFaces: number; meanValence: number | null; distribution: number[] | null };
        timeline: unknown[];
      }>('GET', `/api/sessions/${final.sessionId}/report`);
      expect(report.session).toMatchObject({ source: 'upload', roomId: 'recordings' });
      expect(report.summary.peakFaces).toBeGreaterThanOrEqual(1);
      expect(report.summary.meanValence).toEqual(expect.any(Number));
      expect(report.summary.distribution!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
      expect(report.timeline.length).toBeGreaterThan(3);
      await expect.poll(async () => (await page.textContent('body')) ?? '').toContain('Head pose clip');
      // Times are into the video: the page says so and lists when faces were visible from 0:00 on.
      await expect.poll(async () => (await page.textContent('body')) ?? '').toContain('Times are into the video');
      expect(await page.getByTestId('report-presence').textContent()).toMatch(/^Faces were visible from 0:0\d to /);
      await settledFullPage(page);
      await page.screenshot({ path: screenshotPath('e2e-upload-report.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('refuses a corrupt upload at once with a readable reason in the page, and queues no job', async () => {
    const page = await browser.newPage({ viewport: { width: 1180, height: 900 } });
    try {
      await loginInBrowser(page, platform.cloud.httpUrl, 'admin', 'e2e-admin-password');
      await page.goto(`${platform.cloud.httpUrl}/#/uploads`);
      await page.getByTestId('upload-input').setInputFiles({
        name: 'broken.mp4',
        mimeType: 'video/mp4',
        buffer: Buffer.from('this is not a video at all'.repeat(100)),
      });
      const jobsBefore = await platform.admin.request<unknown[]>('GET', '/api/jobs');
      await page.getByTestId('upload-submit').click();
      const alert = page.locator('.upload-form [role="alert"]');
      await alert.waitFor({ timeout: 30_000 });
      expect(await alert.textContent()).toMatch(/"broken\.mp4" could not be read as a video/);
      expect(await platform.admin.request<unknown[]>('GET', '/api/jobs')).toHaveLength(jobsBefore.length);
    } finally {
      await page.close();
    }
  });
});

// Two people on camera, fewer than the default minimum group size of 3: the report shows what it can.
const TWO_FACES = resolve(__dirname, '../../../shared/data/video/intel_head-pose-face-detection-female-and-male.mp4');

describe.skipIf(!existsSync(TWO_FACES))('an uploaded clip with fewer faces than the minimum group size', () => {
  let small: Awaited<ReturnType<typeof startTestCloud>>;
  beforeAll(async () => {
    small = await startTestCloud();
  });
  afterAll(async () => {
    await small?.close();
  });

  it('states K before the upload; its report shows face counts, when faces were visible and why no emotions', async () => {
    const page = await browser.newPage({ viewport: { width: 1180, height: 900 } });
    try {
      await loginInBrowser(page, small.cloud.httpUrl, 'admin', 'e2e-admin-password');
      await page.goto(`${small.cloud.httpUrl}/#/uploads`);
      // No room chosen: the cloud's K, from GET /api/uploads/limits.
      await expect
        .poll(async () => (await page.getByTestId('upload-min-group').textContent()) ?? '')
        .toMatch(/^Minimum group size: 3\. .*only one or two faces at a time gets face counts/);
      await page.getByTestId('upload-input').setInputFiles(TWO_FACES);
      await page.getByTestId('upload-title').fill('Two faces');
      await page.getByTestId('upload-submit').click();
      const row = page.locator('[data-testid^="job-row-"]').first();
      await row.waitFor({ timeout: 15_000 });
      const jobId = ((await row.getAttribute('data-testid')) ?? '').replace('job-row-', '');
      const job = await waitFor(
        async () => {
          const j = await small.admin.request<Job>('GET', `/api/jobs/${jobId}`);
          return j.status === 'done' || j.status === 'failed' ? j : null;
        },
        'the two-face clip to be analysed',
        120_000,
      );
      expect(job.error).toBeNull();
      await page.getByTestId(`job-report-link-${jobId}`).click();
      const withheld = page.getByTestId('report-withheld');
      await withheld.waitFor({ timeout: 15_000 });
      expect(await withheld.textContent()).toMatch(
        /^This video showed at most [12] faces? at once; emotion figures need at least 3 \(the minimum group size\) and are withheld to protect individuals\./,
      );
      expect(await page.getByTestId('report-presence').textContent()).toMatch(
        /^Faces were visible from 0:0\d to 0:0\d \([12] at most\)\.$/,
      );
      // The face counts are drawn (the chart is there), times into the video.
      expect(await page.locator('[data-testid="report-timeline"] canvas').count()).toBe(1);
      await settledFullPage(page);
      await page.screenshot({ path: screenshotPath('e2e-upload-report-withheld.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });
});
