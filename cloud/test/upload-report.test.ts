// Issue 15 part 3: an uploaded video's report is in time into the video (0:00 = its first frame), and a clip
// with fewer faces than the minimum group size shows what it can (face counts, when faces were visible) and
// says why its emotions are withheld, with the numbers. A real face clip through the real cloud (upload,
// ffprobe, the vision worker, sessions, reports), its web view, CSV and PDF (pdftotext).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { elapsedTicks } from '../src/reports/report-charts';
import { formatElapsed, presenceText, withheldText, type ReportView } from '../src/reports/report-format';
import { reportView } from '../src/reports/report-view';
import type { SessionReport } from '../src/reports/report';
import { startTestCloud, waitFor, type TestCloud } from './helpers/cloud';

// Two people on camera (the Intel head-pose clip), fewer than the default minimum group size of 3.
const CLIP = resolve(__dirname, '../../../shared/data/video/intel_head-pose-face-detection-female-and-male.mp4');
/** Seconds of empty picture put before the clip, so the faces appear some way into the video. */
const LEAD_S = 3;

const HAVE_FFMPEG = spawnSync('ffmpeg', ['-version']).status === 0 && spawnSync('ffprobe', ['-version']).status === 0;
const HAVE_PDFTOTEXT = spawnSync('pdftotext', ['-v']).status === 0;
const SKIP = !existsSync(CLIP)
  ? `missing ${CLIP} (the shared face clips): the upload report cannot be tested`
  : !HAVE_FFMPEG
    ? 'ffmpeg/ffprobe are not installed (apt-get install ffmpeg): the upload report cannot be tested'
    : null;
if (SKIP) console.warn(`upload-report test skipped: ${SKIP}`);

/** Runs of whitespace as one space: PDF text wraps where the web's does not. */
const flat = (s: string): string => s.replace(/\s+/g, ' ').trim();

interface Report {
  session: { source: string; startedAt: number; endedAt: number | null };
  summary: { durationS: number; distribution: number[] | null; peakFaces: number };
  timeline: { ts: number; faces: number; read: number; distribution: number[] | null }[];
  view: ReportView;
}

describe.skipIf(SKIP !== null)('report of an uploaded video with fewer faces than the minimum group size', () => {
  let cloud: TestCloud;
  let token: string;
  let work: string;
  let report: Report;
  let sessionId: string;
  const get = async (path: string): Promise<Buffer> => {
    const res = await fetch(`${cloud.httpUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return Buffer.from(await res.arrayBuffer());
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'lectern-upload-report-'));
    // LEAD_S s of gray, then the face clip, in one file (same size, rate and aspect, re-encoded).
    const clip = join(work, 'lead-in.mp4');
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-y', '-f', 'lavfi', '-i', `color=c=gray:s=480x270:d=${LEAD_S}:r=12`, '-i', CLIP],
      ...[
        '-filter_complex',
        '[0:v]setsar=1,format=yuv420p[a];[1:v]fps=12,setsar=1,format=yuv420p[b];[a][b]concat=n=2:v=1:a=0[v]',
      ],
      ...['-map', '[v]', '-c:v', 'libx264', '-preset', 'ultrafast', clip],
    ]);
    cloud = await startTestCloud();
    token = await cloud.login();
    await cloud.api('/api/rooms', {
      method: 'POST',
      token,
      body: { id: 'recordings', name: 'Recordings', buildingName: 'Main' },
    });

    const form = new FormData();
    form.set('roomId', 'recordings');
    form.set('title', 'Two faces');
    form.set('file', new Blob([new Uint8Array(readFileSync(clip))]), 'two-faces.mp4');
    const res = await fetch(`${cloud.httpUrl}/api/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const job = await waitFor(
      async () => {
        const j = (
          await cloud.api<{ status: string; error: string | null; sessionId: string | null }>(`/api/jobs/${id}`, {
            token,
          })
        ).body;
        return j.status === 'done' || j.status === 'failed' ? j : null;
      },
      120_000,
      'the analysis to finish',
    );
    expect(job.error).toBeNull();
    sessionId = job.sessionId!;
    report = (await cloud.api<Report>(`/api/sessions/${sessionId}/report`, { token })).body;
  }, 180_000);
  afterAll(async () => {
    await cloud?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('states the minimum group size in GET /api/uploads/limits', async () => {
    const limits = await cloud.api<{ minGroupSize: number }>('/api/uploads/limits', { token });
    expect(limits.status).toBe(200);
    expect(limits.body.minGroupSize).toBe(3);
  });

  it('gives every time as an offset into the video, from 0:00', () => {
    const { view: v, timeline } = report;
    expect(report.session.source).toBe('upload');
    expect(v.time.mode).toBe('video');
    expect(v.timeAxisTitle).toBe('time into the video');
    expect(v.timeZoneNote).toMatch(/^Times are into the video \(0:00 is its first frame\)/);
    // One point per second of video, the first at 0:00, all on whole seconds, none past the end.
    const offsets = timeline.map((p) => p.ts - v.time.origin);
    expect(offsets[0]).toBe(0);
    expect(offsets.every((o) => o % 1000 === 0)).toBe(true);
    expect(offsets).toEqual(offsets.map((_, i) => i * 1000));
    expect(offsets[offsets.length - 1]!).toBeLessThanOrEqual(Math.ceil(report.summary.durationS) * 1000);
    // The gray lead-in has no faces; the clip does (counts are never withheld).
    expect(timeline.slice(0, LEAD_S).every((p) => p.faces === 0)).toBe(true);
    expect(timeline.slice(LEAD_S).some((p) => p.faces > 0)).toBe(true);
  });

  it('shows counts and when faces were visible, and says why emotions are withheld, with the numbers', () => {
    const { view: v, timeline, summary } = report;
    expect(summary.distribution).toBeNull();
    expect(timeline.every((p) => p.distribution === null)).toBe(true);
    const most = Math.max(...timeline.map((p) => p.faces));
    expect(most).toBeGreaterThanOrEqual(1);
    expect(most).toBeLessThan(3);
    expect(summary.peakFaces).toBeGreaterThanOrEqual(1);
    expect(v.withheld).toBe(
      `This video showed at most ${most} ${most === 1 ? 'face' : 'faces'} at once; emotion figures need at least 3 ` +
        '(the minimum group size) and are withheld to protect individuals. Face counts are shown.',
    );
    // When: from the first second with faces (after the gray lead-in) to the end of the last one.
    const firstFace = timeline.findIndex((p) => p.faces > 0);
    expect(firstFace).toBeGreaterThanOrEqual(LEAD_S);
    expect(v.presence).toMatch(/^Faces were visible from \d+:\d\d to \d+:\d\d \([12] at most\)/);
    expect(v.presence).toContain(`from ${formatElapsed(firstFace * 1000)} to `);
  });

  it('prints the same in the CSV: times into the video, the presence and the withheld sentences', async () => {
    const csv = (await get(`/api/sessions/${sessionId}/report.csv`)).toString('utf8');
    const lines = csv.trim().split('\n');
    expect(csv).toContain(`# ${report.view.presence!}`);
    expect(csv).toContain(`# ${report.view.withheld!}`);
    const rows = lines.filter((l) => !l.startsWith('#')).slice(1);
    expect(rows).toHaveLength(report.timeline.length);
    expect(rows[0]!.split(',').slice(0, 2)).toEqual(['0:00', '0']);
    expect(rows[3]!.split(',').slice(0, 2)).toEqual(['0:03', '3000']);
    expect(rows.every((r) => r.split(',').at(-1) === String(Number(r.split(',')[1]) / 1000))).toBe(true);
    // No wall-clock time in any row.
    expect(rows.filter((r) => /\d{4}-\d\d-\d\dT/.test(r))).toEqual([]);
  });

  it.skipIf(!HAVE_PDFTOTEXT)(
    'prints the same in the PDF: axis into the video, presence and withheld sentences',
    async () => {
      const pdf = await get(`/api/sessions/${sessionId}/report.pdf`);
      const path = join(work, 'report.pdf');
      writeFileSync(path, pdf);

      const text = flat(execFileSync('pdftotext', ['-enc', 'UTF-8', path, '-'], { encoding: 'utf8' }));
      const v = report.view;
      expect(text).toContain(flat(v.withheld!));
      expect(text).toContain(flat(v.presence!));
      expect(text).toContain(v.timeZoneNote);
      expect(text).toContain('time into the video');
      expect(text).not.toContain('local time (');
      const last = report.timeline[report.timeline.length - 1]!.ts;
      for (const t of elapsedTicks(v.time.origin, last, v.time.origin))
        expect(text).toContain(formatElapsed(t - v.time.origin));
    },
  );
});

describe('the words for a withheld report (report-format.ts)', () => {
  const time = { mode: 'video' as const, origin: 1_000_000, timeZone: 'UTC' };
  const pt = (s: number, faces: number, read = faces, distribution: number[] | null = null) => ({
    ts: time.origin + s * 1000,
    faces,
    read,
    distribution,
  });

  it('lists spells of presence, bridging a short miss, and summarises many', () => {
    const points = [pt(0, 0), pt(12, 1), pt(13, 2), pt(15, 2), pt(99, 1), pt(200, 1)];
    expect(presenceText(points, time, 1000)).toBe(
      'Faces were visible from 0:12 to 0:16 (2 at most), and from 1:39 to 1:40 (1 at most), and from 3:20 to 3:21 (1 at most).',
    );
    expect(presenceText([pt(0, 0), pt(1, 0)], time, 1000)).toBeNull();
    const many = [0, 10, 20, 30, 40].map((s) => pt(s, 1));
    expect(presenceText(many, time, 1000)).toBe(
      'Faces were visible at 5 times between 0:00 and 0:41, 5 s in all (1 at most); the longest from 0:00 to 0:01.',
    );
  });

  it('explains too few faces, and too few read faces, with K', () => {
    expect(withheldText([pt(0, 1), pt(1, 2)], 3, 'video')).toBe(
      'This video showed at most 2 faces at once; emotion figures need at least 3 (the minimum group size) and are ' +
        'withheld to protect individuals. Face counts are shown.',
    );
    expect(withheldText([pt(0, 5, 2)], 3, 'session')).toMatch(
      /^This session showed up to 5 faces at once, but fewer than 3 of them were read at the same time/,
    );
    // Nothing to explain where some point shows emotions, or where no face was ever seen.
    expect(withheldText([pt(0, 3, 3, [0, 0, 0, 1, 0, 0, 0]), pt(1, 1)], 3, 'video')).toBeNull();
    expect(withheldText([pt(0, 0)], 3, 'video')).toBeNull();
  });

  it('words an upload with emotions in time into the video; a live session keeps clock times', () => {
    const base = {
      summary: {
        durationS: 90,
        meanFaces: 4,
        meanRead: 4,
        meanValence: 0.3,
        meanAttention: 0.8,
        distribution: [0, 0, 0, 1, 0, 0, 0],
        peakFaces: 4,
      },
      timeline: [pt(0, 4, 4, [0, 0, 0, 1, 0, 0, 0]), pt(1, 4, 4, [0, 0, 0, 1, 0, 0, 0])].map((p) => ({
        ...p,
        valence: 0.5,
        attention: 0.9,
      })),
      peaks: [{ ts: time.origin + 72_000, kind: 'valence-high' as const, value: 0.62 }],
      listeners: [],
    };
    const session = (source: string) =>
      ({
        id: 's',
        roomId: 'r',
        title: 't',
        startedAt: time.origin + 400,
        endedAt: null,
        source,
        status: 'ended',
      }) as unknown as SessionReport['session'];
    const ctx = { roomName: 'Room', timeZone: 'Europe/Berlin', zoneSource: 'cloud' as const, minGroupSize: 3 };
    const up = reportView({ ...base, session: session('upload') }, ctx);
    expect(up.time).toEqual({ mode: 'video', origin: time.origin, timeZone: 'Europe/Berlin' });
    expect(up.peaks[0]).toMatchObject({
      clock: '1:12',
      into: '1:12',
      sentence: 'Valence peaked at +0.62 at 1:12 into the video',
    });
    expect(up.presence).toBe('Faces were visible from 0:00 to 0:02 (4 at most).');
    expect(up.withheld).toBeNull();
    const live = reportView({ ...base, session: session('manual') }, ctx);
    expect(live.time.mode).toBe('clock');
    expect(live.timeAxisTitle).toBe('local time (Europe/Berlin)');
    expect(live.peaks[0]!.sentence).toMatch(/into the session$/);
    expect(live.presence).toBeNull();
  });
});
