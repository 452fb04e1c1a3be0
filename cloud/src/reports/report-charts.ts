import { createRequire } from 'node:module';
import type { ChartConfiguration, Plugin } from 'chart.js';
import type { TimelinePoint } from '../api/contract';
import { PdfCanvas, type PdfCanvasFonts, type PdfContext2D } from './pdf-canvas';
import {
  formatReportTime,
  REPORT_COLORS,
  REPORT_EMOTION_LABELS,
  REPORT_EMOTIONS,
  reportTimeAxisTitle,
  zoneOffsetMs,
  type ReportTimeAxis,
} from './report-format';

/**
 * The PDF's charts, drawn by Chart.js (the dashboard's charting library) onto the PDF page through
 * pdf-canvas.ts: Chart.js does the scales (1-2-5 "nice" ticks), gridlines, stacking, area fills and legends.
 *
 * Chart.js is loaded when the first PDF is drawn, not when the cloud starts: it is a devDependency of
 * @lectern/cloud today (the dashboard's build needs it), so an image installed with --omit=dev lacks it. There
 * the PDF says so in place of each chart instead of the cloud failing to start.
 */
type ChartJs = typeof import('chart.js');
let chartJs: ChartJs | null | undefined;

export function loadChartJs(): ChartJs | null {
  if (chartJs !== undefined) return chartJs;
  try {
    const load = createRequire(__filename);
    const lib = load('chart.js') as ChartJs;
    lib.Chart.register(
      lib.BarController,
      lib.BarElement,
      lib.CategoryScale,
      lib.Filler,
      lib.Legend,
      lib.LinearScale,
      lib.LineController,
      lib.LineElement,
      lib.PointElement,
    );
    chartJs = lib;
  } catch (err) {
    console.warn(
      `lectern reports: chart.js could not be loaded (${(err as Error).message}); PDFs are drawn without charts`,
    );
    chartJs = null;
  }
  return chartJs;
}

const TEXT = '#374151';
const GRID = 'rgba(148, 163, 184, 0.35)';
const FONT = { family: 'DejaVu Sans', size: 7.5 };

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const TIME_STEPS = [
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  ...[1, 2, 5, 10, 15, 30, 60, 120, 240].map((m) => m * MINUTE),
];

/** The smallest round step giving at most `maxTicks` ticks over the span. */
export function timeTickStep(spanMs: number, maxTicks = 8): number {
  return TIME_STEPS.find((s) => spanMs / s <= maxTicks) ?? TIME_STEPS[TIME_STEPS.length - 1]!;
}

/** Tick instants on round local times of `timeZone` (whole minutes, quarter hours, hours) within [min, max]. */
export function timeTicks(min: number, max: number, timeZone: string, maxTicks = 8): number[] {
  const step = timeTickStep(max - min, maxTicks);
  const offset = zoneOffsetMs(min, timeZone);
  const ticks: number[] = [];
  for (let t = Math.ceil((min + offset) / step) * step - offset; t <= max; t += step) ticks.push(t);
  return ticks;
}

/** Ticks on round offsets from `origin` (0:00, 0:30, 1:00 … into the video) within [min, max]. */
export function elapsedTicks(min: number, max: number, origin: number, maxTicks = 8): number[] {
  const step = timeTickStep(max - min, maxTicks);
  const ticks: number[] = [];
  for (let t = origin + Math.ceil((min - origin) / step) * step; t <= max; t += step) ticks.push(t);
  return ticks;
}

/** A report's tick instants: round local times, or round times into the video. */
export function reportTicks(min: number, max: number, time: ReportTimeAxis, maxTicks = 8): number[] {
  return time.mode === 'video'
    ? elapsedTicks(min, max, time.origin, maxTicks)
    : timeTicks(min, max, time.timeZone, maxTicks);
}

function hexAlpha(hex: string, alpha: number): string {
  return `${hex}${Math.round(alpha * 255)
    .toString(16)
    .padStart(2, '0')}`;
}

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Draws one Chart.js chart into `box` of the current page; false when Chart.js is not installed. */
export function drawChart(
  doc: PDFKit.PDFDocument,
  box: Box,
  fonts: PdfCanvasFonts,
  config: ChartConfiguration<'line' | 'bar'>,
): boolean {
  const lib = loadChartJs();
  if (!lib) return false;
  const canvas = new PdfCanvas(doc, box.w, box.h, fonts);
  const { x, y } = doc;
  doc.save();
  doc.translate(box.x, box.y);
  config.options = {
    ...config.options,
    responsive: false,
    animation: false,
    devicePixelRatio: 1,
    events: [],
    font: FONT,
    color: TEXT,
    borderColor: GRID,
  };
  // Chart.js draws synchronously on a context it cannot animate (no window).
  const chart = new lib.Chart(canvas, config);
  chart.destroy();
  doc.restore();
  doc.x = x;
  doc.y = y;
  return true;
}

function timeAxis(time: ReportTimeAxis, min: number, max: number) {
  return {
    type: 'linear' as const,
    min,
    max,
    grid: { color: GRID },
    border: { color: TEXT },
    ticks: { color: TEXT, font: FONT, maxRotation: 0 },
    title: { display: true, text: reportTimeAxisTitle(time), color: TEXT, font: FONT },
    afterBuildTicks: (axis: { min: number; max: number; ticks: { value: number }[] }) => {
      axis.ticks = reportTicks(axis.min, axis.max, time).map((value) => ({ value }));
    },
    afterTickToLabelConversion: (axis: { ticks: { value: number; label?: string | string[] }[] }) => {
      const step = axis.ticks.length > 1 ? axis.ticks[1]!.value - axis.ticks[0]!.value : MINUTE;
      for (const t of axis.ticks) t.label = formatReportTime(t.value, time, step % MINUTE !== 0);
    },
  };
}

function span(
  points: readonly TimelinePoint[],
  startedAt: number,
  endedAt: number,
  time: ReportTimeAxis,
): { min: number; max: number } {
  const first = points[0]?.ts ?? startedAt;
  const last = points[points.length - 1]?.ts ?? endedAt;
  // Time into a video starts at 0:00, never before it.
  const min = time.mode === 'video' ? Math.max(time.origin, Math.min(first, startedAt)) : Math.min(first, startedAt);
  return { min, max: Math.max(last, endedAt, min + 10 * SECOND) };
}

/** Valence and attention (left axis, -1..1) and listeners (right axis), as on the dashboard's timeline. */
export function timelineChart(
  points: readonly TimelinePoint[],
  time: ReportTimeAxis,
  startedAt: number,
  endedAt: number,
): ChartConfiguration<'line'> {
  const xy = (pick: (p: TimelinePoint) => number | null) => points.map((p) => ({ x: p.ts, y: pick(p) }));
  const { min, max } = span(points, startedAt, endedAt, time);
  return {
    type: 'line',
    data: {
      datasets: [
        {
          label: 'Valence (−1..+1)',
          data: xy((p) => p.valence),
          borderColor: REPORT_COLORS.valence,
          backgroundColor: REPORT_COLORS.valence,
          borderWidth: 1.8,
          pointRadius: 0,
          // Monotone: the curve never overshoots to a value no bucket had (a kept report shows data only).
          cubicInterpolationMode: 'monotone',
          spanGaps: false,
          yAxisID: 'y',
        },
        {
          label: 'Attention (0..1)',
          data: xy((p) => p.attention),
          borderColor: REPORT_COLORS.attention,
          backgroundColor: REPORT_COLORS.attention,
          borderWidth: 1.8,
          borderDash: [5, 3],
          pointRadius: 0,
          cubicInterpolationMode: 'monotone',
          spanGaps: false,
          yAxisID: 'y',
        },
        {
          label: 'Listeners',
          data: xy((p) => p.faces),
          borderColor: REPORT_COLORS.faces,
          backgroundColor: REPORT_COLORS.faces,
          borderWidth: 1,
          pointRadius: 0,
          stepped: true,
          yAxisID: 'faces',
        },
      ],
    },
    options: {
      parsing: false,
      plugins: {
        legend: {
          position: 'top',
          align: 'end',
          labels: { boxWidth: 18, boxHeight: 2, padding: 10, color: TEXT, font: FONT },
        },
      },
      scales: {
        x: timeAxis(time, min, max),
        y: {
          min: -1,
          max: 1,
          ticks: { stepSize: 0.5, color: TEXT, font: FONT },
          grid: { color: GRID },
          border: { color: TEXT },
          title: { display: true, text: 'valence · attention', color: TEXT, font: FONT },
        },
        faces: {
          position: 'right',
          beginAtZero: true,
          // Head room, so a constant audience is not drawn on the frame's top edge.
          suggestedMax: Math.ceil(Math.max(1, ...points.map((p) => p.faces)) * 1.2),
          grid: { display: false },
          border: { color: TEXT },
          ticks: { precision: 0, color: TEXT, font: FONT },
          title: { display: true, text: 'listeners', color: TEXT, font: FONT },
        },
      },
    },
  };
}

/** The seven emotion shares stacked to 100 % over time, in the dashboard's colours; gaps where withheld. */
export function emotionsChart(
  points: readonly TimelinePoint[],
  time: ReportTimeAxis,
  startedAt: number,
  endedAt: number,
): ChartConfiguration<'line'> {
  const { min, max } = span(points, startedAt, endedAt, time);
  return {
    type: 'line',
    data: {
      datasets: REPORT_EMOTIONS.map((e, i) => ({
        label: REPORT_EMOTION_LABELS[e],
        data: points.map((p) => ({ x: p.ts, y: p.distribution ? 100 * (p.distribution[i] ?? 0) : null })),
        borderColor: REPORT_COLORS.emotions[e],
        backgroundColor: hexAlpha(REPORT_COLORS.emotions[e], 0.85),
        borderWidth: 0.6,
        pointRadius: 0,
        fill: i === 0 ? 'origin' : '-1',
        spanGaps: false,
      })),
    },
    options: {
      parsing: false,
      plugins: {
        legend: {
          position: 'bottom',
          labels: { boxWidth: 10, boxHeight: 8, padding: 10, color: TEXT, font: FONT },
        },
      },
      scales: {
        x: timeAxis(time, min, max),
        y: {
          stacked: true,
          min: 0,
          max: 100,
          ticks: { stepSize: 25, callback: (v) => `${v}%`, color: TEXT, font: FONT },
          grid: { color: GRID },
          border: { color: TEXT },
          title: { display: true, text: 'share of read faces', color: TEXT, font: FONT },
        },
      },
    },
  };
}

/** Writes each bar's value above it. */
const barValues: Plugin<'bar'> = {
  id: 'lecternBarValues',
  afterDatasetsDraw(chart) {
    // The context is ours (pdf-canvas.ts); Chart.js types it as the DOM's, which the server does not load.
    const ctx = chart.ctx as unknown as PdfContext2D;
    const meta = chart.getDatasetMeta(0);
    const values = chart.data.datasets[0]?.data ?? [];
    ctx.save();
    ctx.fillStyle = TEXT;
    ctx.font = `${FONT.size}px ${FONT.family}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    meta.data.forEach((bar, i) => {
      const v = values[i];
      if (typeof v === 'number') ctx.fillText(`${v.toFixed(1)}%`, bar.x, bar.y - 2);
    });
    ctx.restore();
  },
};

/** The session's emotion mix as bars, as on the dashboard's report. */
export function distributionChart(distribution: readonly number[]): ChartConfiguration<'bar'> {
  return {
    type: 'bar',
    data: {
      labels: REPORT_EMOTIONS.map((e) => REPORT_EMOTION_LABELS[e]),
      datasets: [
        {
          data: REPORT_EMOTIONS.map((_, i) => Math.round((distribution[i] ?? 0) * 1000) / 10),
          backgroundColor: REPORT_EMOTIONS.map((e) => REPORT_COLORS.emotions[e]),
        },
      ],
    },
    options: {
      plugins: { legend: { display: false } },
      scales: {
        y: {
          beginAtZero: true,
          max: 100,
          ticks: { stepSize: 25, callback: (v) => `${v}%`, color: TEXT, font: FONT },
          grid: { color: GRID },
          border: { color: TEXT },
        },
        x: { grid: { display: false }, border: { color: TEXT }, ticks: { color: TEXT, font: FONT } },
      },
    },
    plugins: [barValues],
  };
}
