import { EMOTIONS } from '@lectern/protocol';
import PDFDocument from 'pdfkit';
import type { SessionReport } from './report';

const fmt = (v: number | null, digits = 2): string => (v === null ? 'n/a' : v.toFixed(digits));

/** A one-to-two page PDF: summary, valence/attention chart, emotion mix and peaks. */
export function reportPdf(r: SessionReport): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `Lectern report: ${r.session.title}` } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);

    doc.fontSize(18).text(`Lecture report: ${r.session.title}`);
    doc.moveDown(0.5).fontSize(10).fillColor('#555');
    doc.text(`Room: ${r.session.roomId ?? '(uploaded video)'}   Source: ${r.session.source}`);
    doc.text(
      `Started: ${new Date(r.session.startedAt).toISOString()}   Duration: ${Math.round(r.summary.durationS / 60)} min`,
    );
    doc.moveDown().fillColor('#000').fontSize(12);
    doc.text(
      `Mean valence: ${fmt(r.summary.meanValence)}   Mean attention: ${fmt(r.summary.meanAttention)}   Peak faces: ${r.summary.peakFaces}`,
    );
    // Emotion figures stand for the read faces only: a reader must see how many of the listeners that was.
    doc.text(`Mean listeners: ${fmt(r.summary.meanFaces, 1)}   of them read: ${fmt(r.summary.meanRead, 1)}`);
    doc.moveDown();

    chart(doc, r);

    doc.moveDown().fontSize(12).text('Emotion mix');
    doc.fontSize(10);
    if (r.summary.distribution) {
      EMOTIONS.forEach((e, i) => doc.text(`${e.padEnd(9)} ${(100 * r.summary.distribution![i]!).toFixed(1)} %`));
    } else {
      doc.text('Not available (fewer read faces than the privacy minimum, or emotion inference off).');
    }
    doc.moveDown().fontSize(12).text('Notable moments');
    doc.fontSize(10);
    if (r.peaks.length === 0) doc.text('None.');
    for (const p of r.peaks)
      doc.text(`${new Date(p.ts).toISOString().slice(11, 19)}  ${p.kind}  ${p.value.toFixed(2)}`);
    doc.moveDown().fontSize(8).fillColor('#777');
    doc.text(
      'Aggregates only; no images or identities are collected. Values below the minimum group size are withheld: attention below it in faces, emotions below it in read faces.',
    );
    doc.end();
  });
}

function chart(doc: PDFKit.PDFDocument, r: SessionReport): void {
  const x0 = 50;
  const y0 = doc.y;
  const w = 495;
  const h = 140;
  doc.rect(x0, y0, w, h).strokeColor('#999').stroke();
  const pts = r.timeline;
  if (pts.length >= 2) {
    const t0 = pts[0]!.ts;
    const span = Math.max(1, pts[pts.length - 1]!.ts - t0);
    const line = (value: (p: (typeof pts)[number]) => number | null, lo: number, hi: number, color: string): void => {
      let started = false;
      for (const p of pts) {
        const v = value(p);
        if (v === null) {
          started = false;
          continue;
        }
        const x = x0 + ((p.ts - t0) / span) * w;
        const y = y0 + h - ((v - lo) / (hi - lo)) * h;
        if (started) doc.lineTo(x, y);
        else doc.moveTo(x, y);
        started = true;
      }
      doc.strokeColor(color).lineWidth(1).stroke();
    };
    line((p) => p.valence, -1, 1, '#d62728');
    line((p) => p.attention, 0, 1, '#1f77b4');
  }
  doc.y = y0 + h + 6;
  doc
    .fontSize(8)
    .fillColor('#d62728')
    .text('valence (-1..1)', x0, doc.y, { continued: true })
    .fillColor('#1f77b4')
    .text('   attention (0..1)');
  doc.fillColor('#000');
}
