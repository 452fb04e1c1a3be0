import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { aggregateFaces, topicFor } from '@lectern/protocol';
import { connectAsync, type MqttClient } from 'mqtt';
import { PNG } from 'pngjs';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AggregationService, IngestService, SessionsService, SnapshotEntity, provisionDevice } from '../src';
import { timeTicks, timeTickStep } from '../src/reports/report-charts';
import {
  formatClock,
  formatDuration,
  REPORT_COLORS,
  REPORT_EMOTION_LABELS,
  REPORT_EMOTIONS,
  REPORT_SECTIONS,
  type ReportView,
} from '../src/reports/report-format';
import { EMOTION_COLORS, EMOTION_LABELS, EMOTIONS } from '../web/src/emotions';
import { ATTENTION_COLOR, VALENCE_COLOR } from '../web/src/charts/setup';
import { startTestCloud, waitFor, type TestCloud } from './helpers/cloud';
import { makeSnapshot, snapshotPayload } from './helpers/snapshots';

const SCREENSHOT = join(__dirname, '..', '..', 'docs', 'screenshots', 'report-pdf-page1.png');

const which = (tool: string): boolean => {
  try {
    execFileSync('which', [tool], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const POPPLER = which('pdftotext') && which('pdftoppm') && which('pdffonts');
if (!POPPLER)
  console.warn(
    'report-pdf test: pdftotext/pdftoppm/pdffonts not found (Debian package poppler-utils): using the built-in ' +
      'text extractor, a /FontFile2 check and Chromium for the page image instead',
  );

/** Runs of whitespace as one space: PDF text wraps where the web's does not. */
const flat = (s: string): string => s.replace(/\s+/g, ' ').trim();

interface Report {
  session: { id: string; title: string; startedAt: number; endedAt: number | null };
  summary: { durationS: number; distribution: number[] | null; peakFaces: number };
  timeline: { ts: number }[];
  peaks: { ts: number; kind: string; value: number }[];
  listeners: { key: string }[];
  view: ReportView;
}

describe('PDF report of a real session', () => {
  let cloud: TestCloud;
  let token: string;
  let cam: MqttClient;
  let work: string;
  const room = 'hoersaal-u1';
  const roomName = 'Hörsaal Ü1';
  const title = 'Statistik II — Übung 3';
  // 42 s that start 7.651 s into a whole minute well in the past (the example), so the buckets are closed.
  const t0 = Math.floor((Date.now() - 240_000) / 60_000) * 60_000 + 7_651;
  let report: Report;
  let pdf: Buffer;
  let pdfPath: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'lectern-report-pdf-'));
    cloud = await startTestCloud({ env: { LECTERN_AUTO_SESSION_START_S: '100000' } });
    token = await cloud.login();
    const creds = await provisionDevice(cloud, { id: 'cam-u1', roomId: room, roomName });
    cam = await connectAsync(cloud.mqttUrl, { ...creds, clientId: 'cam-u1', reconnectPeriod: 0 });

    // The session runs from t0 for 42 s (the service's own start/stop, as the timetable uses them).
    const sessions = cloud.app.get(SessionsService);
    const s = await sessions.start(room, title, 'manual', t0);
    // 5 listeners at 1 Hz: cheerful for 20 s, then mostly sad; for 5 s three of them look away (attention 40 %).
    const sad = [0.05, 0.02, 0.05, 0.05, 0.55, 0.03, 0.25];
    for (let i = 0; i < 42; i++) {
      const snap = makeSnapshot(creds.username, room, i + 1, 5, { happy: 0.85, capturedAt: t0 + i * 1000 });
      if (i >= 20) {
        for (const t of snap.tracks) t.p = sad;
        snap.aggregate = { ...aggregateFaces(snap.tracks), attention: snap.aggregate.attention };
      }
      if (i >= 30 && i < 35) {
        snap.tracks.forEach((t, k) => (t.frontal = k < 2));
        snap.aggregate.attention = 0.4;
      }
      await cam.publishAsync(topicFor('snapshot', snap.deviceId), snapshotPayload(snap), { qos: 1 });
    }
    const repo = cloud.app.get(DataSource).getRepository(SnapshotEntity);
    await waitFor(
      async () => {
        await cloud.app.get(IngestService).writer.drain();
        return (await repo.countBy({ deviceId: 'cam-u1' })) === 42;
      },
      10_000,
      '42 snapshots',
    );
    await cloud.app.get(AggregationService).tick(Date.now());
    await sessions.stop(s.id, t0 + 42_000);

    const r = await cloud.api<Report>(`/api/sessions/${s.id}/report`, { token });
    expect(r.status).toBe(200);
    report = r.body;
    const res = await fetch(`${cloud.httpUrl}/api/sessions/${s.id}/report.pdf`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    pdf = Buffer.from(await res.arrayBuffer());
    pdfPath = join(work, 'report.pdf');
    writeFileSync(pdfPath, pdf);
  }, 120_000);

  afterAll(async () => {
    await cam?.endAsync(true);
    await cloud?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("the web API's report carries the derived text: room name, duration, peak sentences, threshold", () => {
    const v = report.view;
    expect(v.room).toBe(roomName);
    expect(v.title).toBe(title);
    expect(report.summary.durationS).toBe(42);
    expect(v.duration).toBe('42 s');
    expect(v.started).toBe(
      `${new Intl.DateTimeFormat('en-GB', { timeZone: v.timeZone, day: 'numeric', month: 'short', year: 'numeric' }).format(t0)}, ${formatClock(t0, v.timeZone)}`,
    );
    expect(v.timeZoneNote).toContain(v.timeZone);
    expect(new Set(v.peaks.map((p) => p.kind))).toEqual(new Set(['valence-high', 'valence-low', 'attention-low']));
    for (const p of v.peaks) {
      expect(p.sentence).toMatch(
        /^(Valence peaked at \+|Valence fell to −|Attention dipped to )[\d.]+%? at \d+:\d\d into the session$/,
      );
      expect(p.clock).toBe(formatClock(p.ts, v.timeZone));
    }
    const high = v.peaks.find((p) => p.kind === 'valence-high')!;
    expect(high.ts - t0).toBeLessThan(20_000);
    const dip = v.peaks.find((p) => p.kind === 'attention-low')!;
    expect(dip.sentence).toBe(`Attention dipped to 40% at ${dip.into} into the session`);
    expect(v.threshold).toMatch(/^Figures from fewer than 3 listeners are withheld/);
    expect(v.listenerSummary).toMatch(/^5 listeners seen for 5 s or more \(median 41 s\)\./);
  });

  it('the PDF says what the web report says, in the same words', () => {
    const v = report.view;
    const text = flat(
      POPPLER ? execFileSync('pdftotext', ['-enc', 'UTF-8', pdfPath, '-'], { encoding: 'utf8' }) : pdfText(pdf),
    );
    expect(text).toContain(title);
    expect(text).toContain(`Room: ${roomName}`);
    expect(text).toContain(`Duration: ${v.duration} `);
    expect(text).toContain(`Started: ${v.started}`);
    expect(text).toContain(v.timeZoneNote);
    for (const p of v.peaks) expect(text).toContain(`${p.sentence}.`);
    expect(text).toContain(flat(v.listenerSummary));
    expect(text).toContain(flat(v.threshold));
    for (const s of [REPORT_SECTIONS.timeline, REPORT_SECTIONS.emotions, REPORT_SECTIONS.distribution])
      expect(text).toContain(s);
    expect(text).toContain(`${REPORT_SECTIONS.peaks} `);
    expect(text).toContain(`${REPORT_SECTIONS.listeners} (${report.listeners.length})`);
    expect(text).toContain(REPORT_SECTIONS.privacy);
    // Axes: titles, local clock ticks on round times within the session, the stacked chart's legend.
    expect(text).toContain(`local time (${v.timeZone})`);
    for (const t of timeTicks(t0 - 651, t0 + 42_000, v.timeZone)) expect(text).toContain(formatClock(t, v.timeZone));
    expect(text).toContain('valence · attention');
    expect(text).toContain('share of read faces');
    for (const e of REPORT_EMOTIONS) expect(text).toContain(REPORT_EMOTION_LABELS[e]);
    const happy = report.summary.distribution![3]!;
    expect(text).toContain(`${(Math.round(happy * 1000) / 10).toFixed(1)}%`);
    // Nothing of the old PDF's wording: no raw UTC, no peak kinds, no room id.
    expect(text).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    expect(text).not.toMatch(/valence-high|valence-low|attention-low/);
    expect(text).not.toContain(room);
  });

  it('the CSV documents its units and carries the same duration, room and threshold', async () => {
    const res = await fetch(`${cloud.httpUrl}/api/sessions/${report.session.id}/report.csv`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const lines = (await res.text()).trim().split('\n');
    const comments = lines.filter((l) => l.startsWith('#')).join('\n');
    expect(comments).toMatch(
      /ISO 8601 UTC.*valence = -1\.\.1.*attention = 0\.\.1.*share of read faces 0\.\.1.*session_s = seconds/,
    );
    expect(comments).toContain(`room: ${roomName}; started ${new Date(t0).toISOString()}`);
    expect(comments).toContain(`duration ${report.view.duration} (42 s)`);
    expect(comments).toContain(report.view.threshold);
    const rows = lines.filter((l) => !l.startsWith('#'));
    expect(rows[0]).toBe(
      'time,ts,faces,read,valence,attention,angry,disgust,fear,happy,sad,surprise,neutral,session_s',
    );
    // One row per timeline point of the web report, session_s counted from the session's start.
    const tl = report.timeline;
    expect(rows).toHaveLength(tl.length + 1);
    expect(tl.length).toBeGreaterThanOrEqual(40);
    rows.slice(1).forEach((row, k) => expect(Number(row.split(',').at(-1))).toBeCloseTo((tl[k]!.ts - t0) / 1000, 3));
    expect(rows[1]!.split(',').at(-1)).toBe(String((tl[0]!.ts - t0) / 1000));
  });

  it('embeds its font (DejaVu Sans, so "Hörsaal Ü1" renders)', () => {
    if (POPPLER) {
      const fonts = execFileSync('pdffonts', [pdfPath], { encoding: 'utf8' }).trim().split('\n').slice(2);
      expect(fonts.length).toBeGreaterThan(0);
      // name type encoding emb sub uni object ID: every font embedded (a subset), none a base-14 reference.
      for (const f of fonts) expect(f).toMatch(/DejaVuSans\S*\s+CID TrueType.*\byes\s+yes\s+yes\b/);
    } else {
      const raw = pdf.toString('latin1');
      expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSans\b/);
      expect(raw).toContain('/FontFile2');
      expect(raw).not.toMatch(/\/BaseFont \/Helvetica/);
    }
  });

  it('renders page 1 to docs/screenshots/report-pdf-page1.png', async () => {
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    if (POPPLER) {
      execFileSync('pdftoppm', [
        '-png',
        '-r',
        '110',
        '-f',
        '1',
        '-l',
        '1',
        '-singlefile',
        pdfPath,
        SCREENSHOT.slice(0, -4),
      ]);
    } else {
      const png = await chromiumPage1(pdfPath);
      if (!png) {
        console.warn('report-pdf test: neither poppler-utils nor Chromium: page 1 not rendered');
        return;
      }
      writeFileSync(SCREENSHOT, png);
    }
    const img = PNG.sync.read(await import('node:fs').then((fs) => fs.readFileSync(SCREENSHOT)));
    expect(img.width).toBeGreaterThan(600);
    expect(img.height / img.width).toBeCloseTo(842 / 595, 1);
  }, 120_000);
});

describe('report charts and wording', () => {
  it('uses the dashboard colours and labels (one palette for web, PDF and CSV)', () => {
    expect([...REPORT_EMOTIONS]).toEqual([...EMOTIONS]);
    expect(REPORT_COLORS.emotions).toEqual(EMOTION_COLORS);
    expect(REPORT_EMOTION_LABELS).toEqual(EMOTION_LABELS);
    expect(REPORT_COLORS.valence).toBe(VALENCE_COLOR);
    expect(REPORT_COLORS.attention).toBe(ATTENTION_COLOR);
  });

  it('puts time ticks on round local times', () => {
    expect(timeTickStep(42_000)).toBe(10_000);
    expect(timeTickStep(50 * 60_000)).toBe(10 * 60_000);
    const t0 = Date.UTC(2026, 11, 1, 14, 5, 7, 651);
    expect(timeTicks(t0, t0 + 42_000, 'UTC').map((t) => formatClock(t, 'UTC'))).toEqual([
      '14:05:10',
      '14:05:20',
      '14:05:30',
      '14:05:40',
    ]);
    // Kolkata is UTC+5:30: hourly ticks fall on its whole hours, not UTC's.
    const ticks = timeTicks(t0, t0 + 6 * 3600_000, 'Asia/Kolkata');
    expect(ticks.map((t) => formatClock(t, 'Asia/Kolkata', false))).toEqual([
      '20:00',
      '21:00',
      '22:00',
      '23:00',
      '00:00',
      '01:00',
    ]);
  });

  it('says durations as the web does', () => {
    expect([42, 59.6, 725, 3725].map(formatDuration)).toEqual(['42 s', '1 min 00 s', '12 min 05 s', '1 h 02 min']);
  });
});

/**
 * The text of a PDFKit PDF without poppler: inflates its streams, reads each font's ToUnicode CMap and decodes
 * the text operators (Tj, TJ) of the content streams in drawing order, one line per text object.
 */
function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  const objects = new Map<number, { dict: string; stream: Buffer | null }>();
  for (const m of raw.matchAll(/(\d+) 0 obj\s*([\s\S]*?)endobj/g)) {
    const body = m[2]!;
    const at = body.indexOf('stream');
    let stream: Buffer | null = null;
    let dict = body;
    if (at >= 0) {
      dict = body.slice(0, at);
      const start = body[at + 6] === '\r' ? at + 8 : at + 7;
      const data = Buffer.from(body.slice(start, body.lastIndexOf('endstream')), 'latin1');
      stream = dict.includes('/FlateDecode') ? inflateSync(data) : data;
    }
    objects.set(Number(m[1]), { dict, stream });
  }
  const cmaps = new Map<number, Map<number, string>>();
  const utf16 = (hex: string): string => {
    let s = '';
    for (let i = 0; i + 4 <= hex.length; i += 4) s += String.fromCharCode(parseInt(hex.slice(i, i + 4), 16));
    return s;
  };
  const cmapOf = (id: number): Map<number, string> => {
    const cached = cmaps.get(id);
    if (cached) return cached;
    const map = new Map<number, string>();
    const text = objects.get(id)?.stream?.toString('latin1') ?? '';
    for (const block of text.matchAll(/beginbfrange([\s\S]*?)endbfrange/g))
      for (const r of block[1]!.matchAll(/<([0-9a-f]+)>\s*<([0-9a-f]+)>\s*(\[[^\]]*\]|<[0-9a-f]+>)/gi)) {
        const lo = parseInt(r[1]!, 16);
        const hi = parseInt(r[2]!, 16);
        const dest = r[3]!;
        if (dest.startsWith('['))
          [...dest.matchAll(/<([0-9a-f]+)>/gi)].forEach((d, i) => map.set(lo + i, utf16(d[1]!)));
        else
          for (let c = lo; c <= hi; c++)
            map.set(c, utf16((parseInt(dest.slice(1, -1), 16) + c - lo).toString(16).padStart(4, '0')));
      }
    for (const block of text.matchAll(/beginbfchar([\s\S]*?)endbfchar/g))
      for (const r of block[1]!.matchAll(/<([0-9a-f]+)>\s*<([0-9a-f]+)>/gi)) map.set(parseInt(r[1]!, 16), utf16(r[2]!));
    cmaps.set(id, map);
    return map;
  };
  // Font resource names -> their ToUnicode CMap (PDFKit names fonts once per document: /F1, /F2, ...).
  const fonts = new Map<string, Map<number, string> | null>();
  for (const m of raw.matchAll(/\/(F\d+) (\d+) 0 R/g)) {
    const font = objects.get(Number(m[2]));
    const tu = /\/ToUnicode (\d+) 0 R/.exec(font?.dict ?? '');
    fonts.set(m[1]!, tu ? cmapOf(Number(tu[1])) : null);
  }
  const lines: string[] = [];
  const pages = [...raw.matchAll(/\/Type \/Page\b[\s\S]*?\/Contents (\d+) 0 R/g)].map((m) => Number(m[1]));
  for (const id of pages) {
    const content = objects.get(id)?.stream?.toString('latin1') ?? '';
    let font: Map<number, string> | null = null;
    for (const bt of content.matchAll(/BT([\s\S]*?)ET/g)) {
      let line = '';
      for (const op of bt[1]!.matchAll(/\/(F\d+) [\d.]+ Tf|(\[[^\]]*\]) TJ|(<[0-9a-f]*>) Tj/gi)) {
        if (op[1]) {
          font = fonts.get(op[1]) ?? null;
          continue;
        }
        for (const h of (op[2] ?? op[3]!).matchAll(/<([0-9a-f]*)>/gi)) {
          const hex = h[1]!;
          if (font)
            for (let i = 0; i + 4 <= hex.length; i += 4) line += font.get(parseInt(hex.slice(i, i + 4), 16)) ?? '';
          else line += Buffer.from(hex, 'hex').toString('latin1');
        }
      }
      lines.push(line);
    }
  }
  return lines.join('\n');
}

/** Page 1 through Chromium's PDF viewer (when poppler-utils is missing), cropped to the page. */
async function chromiumPage1(pdfPath: string): Promise<Buffer | null> {
  const executablePath = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(existsSync);
  if (!executablePath) return null;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'], headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 1300 }, deviceScaleFactor: 2 });
    await page.goto(`file://${pdfPath}#toolbar=0`).catch(() => undefined);
    for (let attempt = 0; attempt < 20; attempt++) {
      await page.waitForTimeout(750);
      const bytes = await page.screenshot();
      // The viewer's empty dark frame compresses to a few kB; decode only once a page may be drawn.
      if (bytes.length < 100_000) continue;
      const shot = PNG.sync.read(bytes);
      const crop = cropWhitePage(shot);
      if (crop) return PNG.sync.write(crop);
    }
    return null;
  } finally {
    await browser.close();
  }
}

/** The first white page on the viewer's dark background, once it has been drawn (enough ink on it). */
function cropWhitePage(img: PNG): PNG | null {
  const white = (x: number, y: number): boolean => {
    const i = (y * img.width + x) * 4;
    return img.data[i]! > 245 && img.data[i + 1]! > 245 && img.data[i + 2]! > 245;
  };
  const bright = (x: number, y: number): boolean => {
    const i = (y * img.width + x) * 4;
    return img.data[i]! + img.data[i + 1]! + img.data[i + 2]! > 300;
  };
  const cx = Math.floor(img.width / 2);
  let top = 0;
  while (top < img.height && !white(cx, top)) top++;
  if (top >= img.height) return null;
  // The page's edges: the first dark pixels left, right and below on lines known to be margin.
  const row = top + 2;
  let left = cx;
  while (left > 0 && bright(left - 1, row)) left--;
  let right = cx;
  while (right < img.width - 1 && bright(right + 1, row)) right++;
  const col = left + 4;
  let bottom = top;
  while (bottom < img.height - 1 && bright(col, bottom + 1)) bottom++;
  const w = right - left + 1;
  const h = bottom - top + 1;
  if (w < 400 || h / w < 1.35) return null;
  const out = new PNG({ width: w, height: h });
  PNG.bitblt(img, out, left, top, w, h, 0, 0);
  let ink = 0;
  for (let i = 0; i < out.data.length; i += 4) if (out.data[i]! < 200) ink++;
  return ink / (w * h) > 0.02 ? out : null;
}
