// Issue 12 part 5, bounded costs: the length of an uploaded video is checked with ffprobe before a job
// exists, the analysis stops at the limit even when the file lies about its length, and every user has a
// quota of uploads (per 24 hours and at a time) counted from the job table. Real ffprobe, real ffmpeg
// clips, real SQLite.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { JobEntity, openDatabase } from '../src';
import { JobsService, type Analyzer } from '../src/jobs/jobs.service';
import { DAY_MS } from '../src/jobs/upload-quota';
import { NO_FFPROBE_MESSAGE, probeUpload } from '../src/jobs/video-limits';
import { startTestCloud, waitFor, type TestCloud } from './helpers/cloud';

interface Job {
  id: string;
  status: string;
  error: string | null;
  sessionId: string | null;
}
interface Refusal {
  statusCode: number;
  message: string;
  retryAt?: number | null;
}

const HAVE_FFPROBE = spawnSync('ffprobe', ['-version']).status === 0;
const HAVE_FFMPEG = spawnSync('ffmpeg', ['-version']).status === 0;
const NEED = 'ffprobe and ffmpeg are not installed (apt-get install ffmpeg): the upload limits cannot be tested';
function needFfmpeg(ctx: TestContext): void {
  if (!HAVE_FFPROBE || !HAVE_FFMPEG) ctx.skip(NEED);
}

const work = mkdtempSync(join(tmpdir(), 'lectern-upload-limits-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A gray 64x48 clip at 1 frame/s: an hour is about 50 KB, the cheap upload the security review found. */
function grayClip(seconds: number, ext: 'mp4' | 'mkv' = 'mp4'): Buffer {
  const out = join(work, `gray-${seconds}.${ext}`);
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', `color=c=gray:s=64x48:d=${seconds}:r=1`],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', out],
  ]);
  return readFileSync(out);
}

/** A Matroska clip whose header says 5 s while it holds `seconds` of video. */
function lyingMkv(seconds: number): Buffer {
  const b = grayClip(seconds, 'mkv');
  const at = b.indexOf(Buffer.from([0x44, 0x89])); // Segment Info > Duration, in TimecodeScale units (ms)
  if (at < 0) throw new Error('no Duration element in the mkv');
  if (b[at + 2] === 0x88) b.writeDoubleBE(5000, at + 3);
  else if (b[at + 2] === 0x84) b.writeFloatBE(5000, at + 3);
  else throw new Error(`unexpected Duration size byte ${b[at + 2]}`);
  return b;
}

/** A webm written to a pipe, as browsers' MediaRecorder does: no length in the header at all. */
function streamedWebm(seconds: number): Buffer {
  return execFileSync(
    'ffmpeg',
    [
      ...['-v', 'error', '-f', 'lavfi', '-i', `color=c=gray:s=64x48:d=${seconds}:r=1`],
      ...['-c:v', 'libvpx', '-b:v', '20k', '-f', 'webm', 'pipe:1'],
    ],
    { maxBuffer: 64 << 20 },
  );
}

async function upload(
  cloud: TestCloud,
  token: string,
  name: string,
  data: Buffer,
  fields: Record<string, string> = {},
): Promise<{ status: number; body: Job & Refusal; retryAfter: string | null }> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set('file', new Blob([new Uint8Array(data)]), name);
  const res = await fetch(`${cloud.httpUrl}/api/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  return {
    status: res.status,
    body: (await res.json()) as Job & Refusal,
    retryAfter: res.headers.get('retry-after'),
  };
}

function uploadsDir(cloud: TestCloud): string[] {
  const dir = join(cloud.dataDir, 'uploads');
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** Wraps the real analyzer, recording each call's limit and how many frames it analysed. */
function spyOnAnalyzer(cloud: TestCloud): { maxDurationS: number; frames?: number; truncated?: boolean }[] {
  const jobs = cloud.app.get(JobsService);
  const real = jobs.analyzer;
  const calls: { maxDurationS: number; frames?: number; truncated?: boolean }[] = [];
  jobs.analyzer = async (path, onProgress, signal, limits) => {
    const call: (typeof calls)[number] = { maxDurationS: limits.maxDurationS };
    calls.push(call);
    const r = await real(path, onProgress, signal, limits);
    call.frames = r.frames;
    call.truncated = r.truncated ?? false;
    return r;
  };
  return calls;
}

async function finished(cloud: TestCloud, token: string, id: string): Promise<Job> {
  return waitFor(
    async () => {
      const j = (await cloud.api<Job>(`/api/jobs/${id}`, { token })).body;
      return j.status === 'done' || j.status === 'failed' || j.status === 'cancelled' ? j : null;
    },
    90_000,
    `job ${id} to finish`,
  );
}

describe('probeUpload (ffprobe on the stored upload)', () => {
  it('reads the declared length, null when the file declares none, and names a missing ffprobe', async (ctx) => {
    needFfmpeg(ctx);
    const { writeFileSync } = await import('node:fs');
    const mp4 = join(work, 'probe.mp4');
    writeFileSync(mp4, grayClip(61 * 60));
    expect(await probeUpload(mp4)).toEqual({ kind: 'video', durationS: 3660 });
    const webm = join(work, 'probe.webm');
    writeFileSync(webm, streamedWebm(3));
    expect(await probeUpload(webm)).toEqual({ kind: 'video', durationS: null });
    const junk = join(work, 'junk.mp4');
    writeFileSync(junk, 'not a video at all');
    expect((await probeUpload(junk)).kind).toBe('unreadable');
    const path = process.env.PATH;
    process.env.PATH = join(work, 'no-such-bin');
    try {
      expect(await probeUpload(mp4)).toEqual({ kind: 'no-ffprobe' });
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('video length limit (LECTERN_UPLOAD_MAX_MINUTES)', () => {
  let cloud: TestCloud;
  let token: string;
  let calls: ReturnType<typeof spyOnAnalyzer>;
  beforeAll(async () => {
    cloud = await startTestCloud({ env: { LECTERN_UPLOAD_MAX_MINUTES: '60' } });
    token = await cloud.login();
    calls = spyOnAnalyzer(cloud);
  });
  afterAll(async () => {
    await cloud?.stop();
  });

  it('refuses a tiny file holding a 61-minute video before any analysis, in a sentence', async (ctx) => {
    needFfmpeg(ctx);
    const clip = grayClip(61 * 60);
    expect(clip.length).toBeLessThan(200_000);
    const r = await upload(cloud, token, 'hour.mp4', clip);
    expect(r.status).toBe(413);
    expect(r.body.message).toBe(
      'This video is 61 min long; uploads are limited to 60 min (LECTERN_UPLOAD_MAX_MINUTES). ' +
        'Cut it into parts of at most 60 min and upload them one by one, or ask an administrator to raise the limit.',
    );
    // No job, no stored file, no analysis, and the refused upload does not count against the quota.
    expect((await cloud.api<Job[]>('/api/jobs', { token })).body).toEqual([]);
    expect(uploadsDir(cloud)).toEqual([]);
    expect(calls).toEqual([]);
    const limits = await cloud.api<{ usedToday: number; maxMinutes: number }>('/api/uploads/limits', { token });
    expect(limits.body).toMatchObject({ usedToday: 0, maxMinutes: 60 });
  });

  it('refuses a file ffprobe cannot read with a sentence, not ffmpeg stderr', async (ctx) => {
    needFfmpeg(ctx);
    const junk = await upload(cloud, token, 'broken.mp4', Buffer.from('this is not a video at all'.repeat(100)));
    expect(junk.status).toBe(400);
    expect(junk.body.message).toMatch(/^"broken\.mp4" could not be read as a video: it may be damaged/);
    expect(junk.body.message).not.toMatch(/Invalid data|ffprobe|moov/);
    // Sound only: a container ffprobe reads, with no picture in it.
    const audio = execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=d=1', '-f', 'matroska', 'pipe:1']);
    const a = await upload(cloud, token, 'talk.mkv', audio);
    expect(a.status).toBe(400);
    expect(a.body.message).toMatch(/^"talk\.mkv" could not be read as a video/);
    expect(uploadsDir(cloud)).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('says so in a sentence when ffprobe is missing on the server (503), and stores nothing', async (ctx) => {
    needFfmpeg(ctx);
    const clip = grayClip(3);
    const path = process.env.PATH;
    process.env.PATH = join(work, 'no-such-bin');
    let r: Awaited<ReturnType<typeof upload>>;
    try {
      r = await upload(cloud, token, 'short.mp4', clip);
    } finally {
      process.env.PATH = path;
    }
    expect(r.status).toBe(503);
    expect(r.body.message).toBe(NO_FFPROBE_MESSAGE);
    expect(r.body.message).toMatch(/ffprobe .* is not installed/);
    expect(uploadsDir(cloud)).toEqual([]);
  });

  it('accepts a video within the limit and analyses it with the limit passed down', async (ctx) => {
    needFfmpeg(ctx);
    const r = await upload(cloud, token, 'fine.mp4', grayClip(59 * 60 + 59));
    expect(r.status).toBe(201);
    // Only the acceptance matters here: the hour of gray is not analysed to the end.
    await waitFor(() => calls.length === 1, 30_000, 'the analysis to start');
    expect(calls[0]?.maxDurationS).toBe(3601);
    expect((await cloud.api<Job>(`/api/jobs/${r.body.id}`, { method: 'DELETE', token })).status).toBe(200);
    await finished(cloud, token, r.body.id);
  });
});

describe('the analysis stops at the limit when the file lies about its length', () => {
  let cloud: TestCloud;
  let token: string;
  let calls: ReturnType<typeof spyOnAnalyzer>;
  beforeAll(async () => {
    cloud = await startTestCloud({ env: { LECTERN_UPLOAD_MAX_MINUTES: '1' } });
    token = await cloud.login();
    calls = spyOnAnalyzer(cloud);
  });
  afterAll(async () => {
    await cloud?.stop();
  });

  it('a header saying 5 s over 200 s of video: accepted, stopped after 60 s of frames, failed with a sentence', async (ctx) => {
    needFfmpeg(ctx);
    const r = await upload(cloud, token, 'liar.mkv', lyingMkv(200));
    expect(r.status).toBe(201);
    const job = await finished(cloud, token, r.body.id);
    expect(job.status).toBe('failed');
    expect(job.error).toBe(
      'This video runs longer than the 1 min upload limit (LECTERN_UPLOAD_MAX_MINUTES), although its file did ' +
        'not say so; the analysis stopped at 1 min and kept nothing. Cut it into parts of at most 1 min and ' +
        'upload them one by one.',
    );
    expect(job.sessionId).toBeNull();
    // 60 s (and a second of slack) at the analyser's 4 frames a second, not 200 s.
    expect(calls.at(-1)).toEqual({ maxDurationS: 61, frames: 244, truncated: true });
    expect(uploadsDir(cloud)).toEqual([]);
  });

  it('a browser-style webm without a declared length: accepted, and bounded the same way', async (ctx) => {
    needFfmpeg(ctx);
    const r = await upload(cloud, token, 'recorded.webm', streamedWebm(200));
    expect(r.status).toBe(201);
    const job = await finished(cloud, token, r.body.id);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/^This video runs longer than the 1 min upload limit/);
    expect(calls.at(-1)).toEqual({ maxDurationS: 61, frames: 244, truncated: true });
  });

  it('a webm without a declared length within the limit is analysed to the end', async (ctx) => {
    needFfmpeg(ctx);
    const r = await upload(cloud, token, 'short.webm', streamedWebm(20));
    expect(r.status).toBe(201);
    const job = await finished(cloud, token, r.body.id);
    expect(job.error).toBeNull();
    expect(job.status).toBe('done');
    expect(calls.at(-1)?.truncated).toBe(false);
  });
});

describe('per-user upload quota (LECTERN_UPLOAD_QUOTA_PER_DAY, LECTERN_UPLOAD_QUOTA_CONCURRENT)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lectern-upload-quota-'));
  const env = { LECTERN_UPLOAD_QUOTA_PER_DAY: '3', LECTERN_UPLOAD_QUOTA_CONCURRENT: '2' };
  let cloud: TestCloud | undefined;
  afterAll(async () => {
    await cloud?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Analyses fail at once after `gate` opens: the quota counts jobs, whatever became of them. */
  function holdAnalyses(c: TestCloud): { open: () => void } {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const fake: Analyzer = async (_path, _progress, signal) => {
      await Promise.race([gate, new Promise((resolve) => signal.addEventListener('abort', resolve))]);
      throw new Error('test analysis');
    };
    c.app.get(JobsService).analyzer = fake;
    return { open };
  }

  it('429 with a sentence saying when, per user, counted from the job table across a restart', async (ctx) => {
    needFfmpeg(ctx);
    cloud = await startTestCloud({ dataDir, env });
    const admin = await cloud.login();
    const gate = holdAnalyses(cloud);
    await cloud.api('/api/rooms', {
      method: 'POST',
      token: admin,
      body: { id: 'quota-room', name: 'Q', buildingName: 'M' },
    });
    const user = { username: 'quota-speaker', password: 'speaker-password', role: 'speaker', roomIds: ['quota-room'] };
    expect((await cloud.api('/api/users', { method: 'POST', token: admin, body: user })).status).toBe(201);
    const speaker = await cloud.login(user.username, user.password);
    const clip = grayClip(2);

    // Three at once with room for two waiting: exactly one is refused, and its file is not kept.
    const parallel = await Promise.all([1, 2, 3].map((i) => upload(cloud!, admin, `p${i}.mp4`, clip)));
    expect(parallel.map((r) => r.status).sort()).toEqual([201, 201, 429]);
    const busy = parallel.find((r) => r.status === 429)!;
    expect(busy.body.message).toBe(
      'You already have 2 videos waiting for or in analysis; uploads are limited to 2 per user at a time ' +
        '(LECTERN_UPLOAD_QUOTA_CONCURRENT). You can upload again as soon as one of them has finished, or ' +
        'cancel one to make room now.',
    );
    expect(busy.retryAfter).toBeNull();
    expect(uploadsDir(cloud)).toHaveLength(2);
    // The quota is per user: the speaker is not held up by the admin's uploads.
    const spk = await upload(cloud, speaker, 'speaker.mp4', clip, { roomId: 'quota-room' });
    expect(spk.status).toBe(201);

    gate.open();
    for (const r of [...parallel.filter((p) => p.status === 201), spk]) await finished(cloud, admin, r.body.id);
    const third = await upload(cloud, admin, 'third.mp4', clip);
    expect(third.status).toBe(201);
    await finished(cloud, admin, third.body.id);

    // Three in 24 hours (failed ones count too): the fourth is refused before the file is stored.
    const before = Date.now();
    const fourth = await upload(cloud, admin, 'fourth.mp4', clip);
    expect(fourth.status).toBe(429);
    expect(fourth.body.message).toMatch(
      /^You have uploaded 3 videos in the last 24 hours; uploads are limited to 3 per user in 24 hours \(LECTERN_UPLOAD_QUOTA_PER_DAY\)\. You can upload again in 2[34] h( \d+ min)?, at \d{4}-\d\d-\d\d \d\d:\d\d UTC\.$/,
    );
    const retryAfter = Number(fourth.retryAfter);
    expect(retryAfter).toBeGreaterThan(DAY_MS / 1000 - 120);
    expect(retryAfter).toBeLessThanOrEqual(DAY_MS / 1000);
    expect(fourth.body.retryAt).toBeGreaterThan(before + DAY_MS - 120_000);
    expect(uploadsDir(cloud)).toEqual([]);
    const limits = await cloud.api<Record<string, unknown>>('/api/uploads/limits', { token: admin });
    expect(limits.body).toMatchObject({ perDay: 3, concurrent: 2, usedToday: 3, pending: 0 });
    expect(limits.body.nextUploadAt).toBe(fourth.body.retryAt);

    // The counts live in the job table: a restart forgets nothing.
    await cloud.close();
    cloud = undefined;
    const dbUrl = `sqlite:${join(dataDir, 'lectern.db')}`;
    let db = await openDatabase(dbUrl);
    const rows = await db.getRepository(JobEntity).find({ order: { createdAt: 'ASC' } });
    await db.destroy();
    expect(rows).toHaveLength(4);
    cloud = await startTestCloud({ dataDir, env });
    let token = await cloud.login();
    holdAnalyses(cloud).open();
    const again = await upload(cloud, token, 'after-restart.mp4', clip);
    expect(again.status).toBe(429);
    expect(again.body.message).toMatch(/You have uploaded 3 videos in the last 24 hours/);

    // A rolling window: once the oldest upload is more than 24 hours old, one more fits.
    await cloud.close();
    cloud = undefined;
    const oldest = rows.find((j) => j.filename !== 'speaker.mp4')!;
    db = await openDatabase(dbUrl);
    await db.getRepository(JobEntity).update({ id: oldest.id }, { createdAt: Date.now() - DAY_MS - 60_000 });
    await db.destroy();
    cloud = await startTestCloud({ dataDir, env });
    token = await cloud.login();
    holdAnalyses(cloud).open();
    expect((await upload(cloud, token, 'next-day.mp4', clip)).status).toBe(201);
    expect((await upload(cloud, token, 'one-too-many.mp4', clip)).status).toBe(429);
  });
});
