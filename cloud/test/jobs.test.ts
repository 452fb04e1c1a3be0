import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobEntity, openDatabase } from '../src';
import { startTestCloud, waitFor, type TestCloud } from './helpers/cloud';

interface Job {
  id: string;
  status: string;
  progress: number;
  percent: number;
  error: string | null;
  sessionId: string | null;
  filename: string;
}

const SHARED = resolve(__dirname, '../../../shared');
const MALE_CLIP = join(SHARED, 'data/video/intel_head-pose-face-detection-male.mp4');

async function upload(
  cloud: TestCloud,
  token: string,
  name: string,
  data: Buffer,
  fields: Record<string, string> = {},
): Promise<{ status: number; body: Job & { message?: string } }> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set('file', new Blob([new Uint8Array(data)]), name);
  const res = await fetch(`${cloud.httpUrl}/api/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  return { status: res.status, body: (await res.json()) as Job & { message?: string } };
}

describe('uploads and the analysis job queue', () => {
  let cloud: TestCloud;
  let token: string;
  let dataDir: string;
  beforeAll(async () => {
    cloud = await startTestCloud({ env: { LECTERN_UPLOAD_MAX_MB: '1' } });
    dataDir = cloud.dataDir;
    token = await cloud.login();
    await cloud.api('/api/rooms', {
      method: 'POST',
      token,
      body: { id: 'upl-room', name: 'Uploads', buildingName: 'Main' },
    });
  });
  afterAll(async () => {
    await cloud?.stop();
  });

  it('rejects wrong types, oversized files and missing files with clear 4xx errors', async () => {
    const txt = await upload(cloud, token, 'notes.txt', Buffer.from('hello'));
    expect(txt.status).toBe(400);
    expect(txt.body.message).toMatch(/unsupported file type "\.txt"/);
    const big = await upload(cloud, token, 'big.mp4', Buffer.alloc(1024 * 1024 + 10));
    expect(big.status).toBe(413);
    expect(big.body.message).toMatch(/larger than 1 MB/);
    const form = new FormData();
    form.set('title', 'no file');
    const none = await fetch(`${cloud.httpUrl}/api/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    expect(none.status).toBe(400);
    expect(((await none.json()) as { message: string }).message).toMatch(/field "file" is missing/);
    // Nothing half-written is left behind.
    const dir = join(dataDir, 'uploads');
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  it('cancels a queued job and a running analysis; both stay cancelled and their files are removed', async (ctx) => {
    if (!existsSync(MALE_CLIP)) return ctx.skip(`missing ${MALE_CLIP}`);
    const { readFileSync } = await import('node:fs');
    // The 5 s clip looped to ~50 s (re-encoded to stay under this cloud's 1 MB upload limit): YuNet analyses
    // the clip itself in about a second, too fast to catch the job running with progress before it is done.
    const long = join(tmpdir(), `lectern-jobs-long-${process.pid}.mp4`);
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-y', '-stream_loop', '9', '-i', MALE_CLIP],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '32', '-an', long],
    ]);
    const clip = readFileSync(long);
    rmSync(long, { force: true });
    const running = await upload(cloud, token, 'running.mp4', clip, { roomId: 'upl-room' });
    const queued = await upload(cloud, token, 'queued.mp4', clip, { roomId: 'upl-room' });
    expect([running.status, queued.status]).toEqual([201, 201]);
    // One worker: the second job waits behind the first.
    const q = await cloud.api<Job>(`/api/jobs/${queued.body.id}`, { method: 'DELETE', token });
    expect(q.status).toBe(200);
    expect(q.body.status).toBe('cancelled');
    await waitFor(
      async () => {
        const j = (await cloud.api<Job>(`/api/jobs/${running.body.id}`, { token })).body;
        return j.status === 'running' && j.percent > 0 ? j : null;
      },
      60_000,
      'the first job to make progress',
    );
    const r = await cloud.api<Job>(`/api/jobs/${running.body.id}`, { method: 'DELETE', token });
    expect(r.body.status).toBe('cancelled');
    await new Promise((res) => setTimeout(res, 1500));
    for (const id of [running.body.id, queued.body.id]) {
      const j = (await cloud.api<Job>(`/api/jobs/${id}`, { token })).body;
      expect(j).toMatchObject({ status: 'cancelled', sessionId: null });
      expect((await cloud.api(`/api/jobs/${id}`, { method: 'DELETE', token })).status).toBe(409);
    }
    expect(readdirSync(join(dataDir, 'uploads'))).toEqual([]);
  });

  it('keeps a queued job across a restart and finishes it afterwards', async (ctx) => {
    // Uploads are checked with ffprobe before they are queued (unreadable ones never become jobs, see
    // upload-limits.test.ts): the job here is a real, short clip.
    if (spawnSync('ffprobe', ['-version']).status !== 0)
      return ctx.skip('ffprobe is not installed (apt-get install ffmpeg)');
    const clip = join(tmpdir(), `lectern-jobs-restart-${process.pid}.mp4`);
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=gray:s=64x48:d=3:r=2'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', clip],
    ]);
    const { readFileSync } = await import('node:fs');
    const data = readFileSync(clip);
    rmSync(clip, { force: true });
    const r = await upload(cloud, token, 'restart.mp4', data, {
      roomId: 'upl-room',
      title: 'Restart test',
    });
    expect(r.status).toBe(201);
    await cloud.close();
    // Stopped mid-way, the job is back in the queue on disk, not failed and not lost.
    const db = await openDatabase(`sqlite:${join(dataDir, 'lectern.db')}`);
    const stored = await db.getRepository(JobEntity).findOneByOrFail({ id: r.body.id });
    await db.destroy();
    expect(stored.status).toBe('queued');
    cloud = await startTestCloud({ dataDir, env: { LECTERN_UPLOAD_MAX_MB: '1' } });
    token = await cloud.login();
    const job = await waitFor(
      async () => {
        const j = (await cloud.api<Job>(`/api/jobs/${r.body.id}`, { token })).body;
        return j.status === 'done' || j.status === 'failed' ? j : null;
      },
      60_000,
      'the job to finish after restart',
    );
    expect(job.error).toBeNull();
    expect(job.status).toBe('done');
    expect(job.sessionId).not.toBeNull();
  });

  it('analyses a real clip into an upload session with a report (analyzeVideo from @lectern/vision)', async (ctx) => {
    if (!existsSync(MALE_CLIP)) return ctx.skip(`missing ${MALE_CLIP}`);
    const { readFileSync } = await import('node:fs');
    const big = await startTestCloud({ env: { LECTERN_UPLOAD_MAX_MB: '50' } });
    try {
      const t = await big.login();
      const r = await upload(big, t, 'male.mp4', readFileSync(MALE_CLIP), { title: 'Smiling man' });
      expect(r.status).toBe(201);
      const seen: number[] = [];
      const job = await waitFor(
        async () => {
          const j = (await big.api<Job>(`/api/jobs/${r.body.id}`, { token: t })).body;
          seen.push(j.progress);
          return j.status === 'done' || j.status === 'failed' ? j : null;
        },
        120_000,
        'analysis',
      );
      expect(job.error).toBeNull();
      expect(job.status).toBe('done');
      expect(job.progress).toBe(1);
      expect(job.percent).toBe(100);
      // Progress seen while it ran only ever went up.
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      const report = await big.api<{
        session: { source: string };
        summary: { peakFaces: number; meanRead: number };
        timeline: { faces: number; read: number }[];
      }>(`/api/sessions/${job.sessionId}/report`, { token: t });
      expect(report.body.session.source).toBe('upload');
      expect(report.body.summary.peakFaces).toBeGreaterThanOrEqual(1);
      expect(report.body.timeline.length).toBeGreaterThan(0);
      // The man's face is far above the readable size: read, as the analyzer's reading says.
      expect(report.body.summary.meanRead).toBeGreaterThan(0);
      expect(report.body.timeline.every((p) => p.read <= p.faces + 1e-9)).toBe(true);
    } finally {
      await big.stop();
    }
  });
});
