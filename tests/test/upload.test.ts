import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
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
