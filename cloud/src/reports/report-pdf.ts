import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import type { SessionReport } from './report';
import { distributionChart, drawChart, emotionsChart, timelineChart } from './report-charts';
import type { PdfCanvasFonts } from './pdf-canvas';
import {
  dominantIndex,
  emotionLabel,
  formatDuration,
  formatSigned,
  REPORT_COLORS,
  REPORT_EMOTIONS,
  REPORT_SECTIONS,
} from './report-format';

/**
 * The embedded font: DejaVu Sans (Debian's fonts-dejavu-core, or the npm package dejavu-fonts-ttf), subset
 * into each PDF. LECTERN_REPORT_FONT / LECTERN_REPORT_FONT_BOLD point at other TTFs. Without one the PDF falls
 * back to the standard Helvetica, which is referenced, not embedded, and covers Latin-1 only (a warning is
 * logged once).
 */
const FONT_CANDIDATES = [
  ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'],
  ['/usr/share/fonts/TTF/DejaVuSans.ttf', '/usr/share/fonts/TTF/DejaVuSans-Bold.ttf'],
  ['/usr/share/fonts/dejavu/DejaVuSans.ttf', '/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf'],
] as const;

interface FontFiles {
  regular: Buffer;
  bold: Buffer;
}
let fontFiles: FontFiles | null | undefined;

/** The TTFs to embed, or null (then Helvetica, not embedded). */
export function reportFontFiles(): FontFiles | null {
  if (fontFiles !== undefined) return fontFiles;
  const env = process.env.LECTERN_REPORT_FONT;
  const pairs: (readonly [string, string])[] = env
    ? [[env, process.env.LECTERN_REPORT_FONT_BOLD ?? env], ...FONT_CANDIDATES]
    : [...FONT_CANDIDATES];
  // The npm package dejavu-fonts-ttf, should it be installed (then no system font is needed).
  try {
    const resolve = createRequire(__filename).resolve;
    pairs.push([resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'), resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf')]);
  } catch {
    // not installed
  }
  const found = pairs.find(([r, b]) => existsSync(r) && existsSync(b));
  fontFiles = found ? { regular: readFileSync(found[0]), bold: readFileSync(found[1]) } : null;
  if (!fontFiles)
    console.warn(
      'lectern reports: no DejaVu Sans TTF found (apt-get install fonts-dejavu-core, or set LECTERN_REPORT_FONT); PDFs use Helvetica, not embedded',
    );
  return fontFiles;
}

const INK = '#111827';
const MUTED = '#6B7280';
const RULE = '#D1D5DB';

/** The report as a PDF: the web report's sections and wording (report.view), Chart.js charts, an embedded font. */
export function reportPdf(r: SessionReport): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const v = r.view;
    const doc = new PDFDocument({
      size: 'A4',
      margins: { top: 44, bottom: 50, left: 50, right: 50 },
      bufferPages: true,
      info: { Title: `Lectern report: ${v.title}`, Author: 'Lectern', Subject: `${v.room}, ${v.started}` },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);

    const files = reportFontFiles();
    const fonts: PdfCanvasFonts = files
      ? { regular: 'Sans', bold: 'Sans-Bold' }
      : { regular: 'Helvetica', bold: 'Helvetica-Bold' };
    if (files) {
      doc.registerFont('Sans', files.regular);
      doc.registerFont('Sans-Bold', files.bold);
    }
    const left = doc.page.margins.left;
    const width = doc.page.width - left - doc.page.margins.right;
    const bottom = () => doc.page.height - doc.page.margins.bottom;
    const ensure = (h: number) => {
      if (doc.y + h > bottom()) doc.addPage();
    };
    const section = (title: string, need = 60) => {
      ensure(need);
      doc.moveDown(0.6).font(fonts.bold).fontSize(12).fillColor(INK).text(title, left, doc.y);
      const y = doc.y + 2;
      doc
        .moveTo(left, y)
        .lineTo(left + width, y)
        .lineWidth(0.5)
        .strokeColor(RULE)
        .stroke();
      doc.y = y + 6;
    };
    const body = (text: string, color = INK, size = 9.5) =>
      doc.font(fonts.regular).fontSize(size).fillColor(color).text(text, left, doc.y, { width });
    const chart = (h: number, config: Parameters<typeof drawChart>[3]) => {
      ensure(h);
      if (drawChart(doc, { x: left, y: doc.y, w: width, h }, fonts, config)) doc.y += h + 4;
      else body('Chart not drawn: the chart.js package is not installed on this server.', MUTED);
    };

    // Header: what, where, when, how long.
    doc.font(fonts.regular).fontSize(9).fillColor(MUTED).text('Lectern session report', left, doc.y);
    doc.font(fonts.bold).fontSize(18).fillColor(INK).text(v.title, { width });
    doc.moveDown(0.2);
    const running = r.session.endedAt === null ? ' (still running)' : '';
    body(`Room: ${v.room}`, INK, 10.5);
    body(`Started: ${v.started} · Duration: ${v.duration}${running} · Source: ${r.session.source}`, INK, 10);
    body(v.timeZoneNote, MUTED, 8.5);

    // The web report's stat tiles.
    doc.moveDown(0.6);
    const stats: [string, string][] = [
      ['Duration', v.duration],
      ['Peak listeners', v.peakListeners],
      ['Read (mean)', v.read],
      ['Mean valence', v.meanValence],
      ['Mean attention', v.meanAttention],
      ['Overall mood', v.mood],
    ];
    const tileW = width / stats.length;
    const tileY = doc.y;
    stats.forEach(([label, value], i) => {
      const x = left + i * tileW;
      doc
        .roundedRect(x + 2, tileY, tileW - 4, 36, 4)
        .lineWidth(0.5)
        .strokeColor(RULE)
        .stroke();
      doc
        .font(fonts.regular)
        .fontSize(7.5)
        .fillColor(MUTED)
        .text(label, x + 8, tileY + 5, { width: tileW - 14, lineBreak: false });
      doc
        .font(fonts.bold)
        .fontSize(12)
        .fillColor(INK)
        .text(value, x + 8, tileY + 17, { width: tileW - 14, lineBreak: false });
    });
    doc.y = tileY + 40;

    const startedAt = r.session.startedAt;
    const endedAt = r.session.endedAt ?? startedAt + r.summary.durationS * 1000;
    section(REPORT_SECTIONS.timeline, 180);
    if (r.timeline.length > 1) chart(175, timelineChart(r.timeline, v.time, startedAt, endedAt));
    else body('Nothing was recorded in this session yet.', MUTED);
    // What the report can say when emotions were withheld: when faces were there, and why nothing more.
    if (v.presence) body(v.presence);
    if (v.withheld) body(v.withheld);

    section(REPORT_SECTIONS.emotions, 170);
    if (r.timeline.filter((p) => p.distribution).length > 1)
      chart(165, emotionsChart(r.timeline, v.time, startedAt, endedAt));
    else body('Too few listeners read for emotions over time (hidden for privacy).', MUTED);

    section(REPORT_SECTIONS.distribution, 140);
    if (r.summary.distribution) chart(135, distributionChart(r.summary.distribution));
    else body('Too few listeners read for a distribution (hidden for privacy).', MUTED);

    section(REPORT_SECTIONS.peaks, 50);
    if (v.peaks.length === 0) body(v.noPeaks, MUTED);
    for (const p of v.peaks) {
      ensure(16);
      const y = doc.y;
      doc.font(fonts.regular).fontSize(9.5).fillColor(MUTED).text(p.clock, left, y, { width: 52, lineBreak: false });
      doc.fillColor(INK).text(`${p.sentence}.`, left + 56, y, { width: width - 56 });
      doc.moveDown(0.25);
    }

    section(`${REPORT_SECTIONS.listeners} (${r.listeners.length})`, 60);
    body(v.listenerSummary, r.listeners.length ? INK : MUTED);
    if (r.listeners.length) listenerTable(doc, r, fonts, left, width, ensure);

    section(REPORT_SECTIONS.privacy, 40);
    body(v.threshold, MUTED, 8.5);

    // Footer on every page (below the bottom margin, so PDFKit must not break the page for it).
    const range = doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      doc.switchToPage(i);
      const m = doc.page.margins.bottom;
      doc.page.margins.bottom = 0;
      doc
        .font(fonts.regular)
        .fontSize(7.5)
        .fillColor(MUTED)
        .text(`${v.title} · ${v.room} · ${v.started} · page ${i + 1} of ${range.count}`, left, doc.page.height - 32, {
          width,
          align: 'center',
          lineBreak: false,
        });
      doc.page.margins.bottom = m;
    }
    doc.end();
  });
}

const MAX_LISTENER_ROWS = 40;

/** The web report's listener table: key, time seen, dominant emotion, distribution bar, mean valence. */
function listenerTable(
  doc: PDFKit.PDFDocument,
  r: SessionReport,
  fonts: PdfCanvasFonts,
  left: number,
  width: number,
  ensure: (h: number) => void,
): void {
  const cols = [
    { title: 'Listener', w: 0.26 },
    { title: 'Seen', w: 0.13 },
    { title: 'Mostly', w: 0.13 },
    { title: 'Distribution', w: 0.33 },
    { title: 'Mean valence', w: 0.15 },
  ].map((c) => ({ ...c, w: c.w * width }));
  const xs = cols.map((_, i) => left + cols.slice(0, i).reduce((s, c) => s + c.w, 0));
  const rowH = 14;
  const header = () => {
    doc.font(fonts.bold).fontSize(8).fillColor(MUTED);
    const y = doc.y;
    cols.forEach((c, i) => doc.text(c.title, xs[i], y, { width: c.w - 6, lineBreak: false }));
    doc.y = y + rowH;
  };
  doc.moveDown(0.4);
  ensure(rowH * 3);
  header();
  const rows = [...r.listeners].sort((a, b) => b.seenS - a.seenS);
  for (const l of rows.slice(0, MAX_LISTENER_ROWS)) {
    if (doc.y + rowH > doc.page.height - doc.page.margins.bottom) {
      doc.addPage();
      header();
    }
    const y = doc.y;
    doc.font(fonts.regular).fontSize(8.5).fillColor(INK);
    doc.text(`#${l.key}`, xs[0], y, { width: cols[0]!.w - 6, lineBreak: false });
    doc.text(formatDuration(l.seenS), xs[1], y, { width: cols[1]!.w - 6, lineBreak: false });
    doc.text(emotionLabel(dominantIndex(l.distribution)), xs[2], y, { width: cols[2]!.w - 6, lineBreak: false });
    let bx = xs[3]!;
    const bw = cols[3]!.w - 10;
    REPORT_EMOTIONS.forEach((e, i) => {
      const w = bw * (l.distribution[i] ?? 0);
      if (w > 0) doc.rect(bx, y + 1, w, 8).fill(REPORT_COLORS.emotions[e]);
      bx += w;
    });
    doc
      .font(fonts.regular)
      .fontSize(8.5)
      .fillColor(INK)
      .text(formatSigned(l.meanValence), xs[4], y, { width: cols[4]!.w, lineBreak: false });
    doc.y = y + rowH;
  }
  if (rows.length > MAX_LISTENER_ROWS)
    doc
      .font(fonts.regular)
      .fontSize(8.5)
      .fillColor(MUTED)
      .text(`… and ${rows.length - MAX_LISTENER_ROWS} more (all of them in the web report).`, left, doc.y, { width });
}
