import type { TimelinePoint } from '../api/types';
import { clock } from '../format';
import { ATTENTION_COLOR, VALENCE_COLOR } from './setup';
import { useChart } from './useChart';

interface Props {
  points: readonly TimelinePoint[];
  /** Fixed visible window ending now (live view); otherwise the axis fits the data. */
  windowMs?: number;
  now?: number;
  showFaces?: boolean;
  /**
   * Shows times another way than the local clock (an upload's report: time into the video). Ticks then fall on
   * round offsets from `origin` (seconds for a short clip), labelled by `format`.
   */
  time?: { origin: number; format: (ts: number) => string };
}

type XY = { x: number; y: number | null };

const MINUTE = 60_000;
const STEPS = [0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 240].map((m) => m * MINUTE);

/** Steps below 15 s, for a short clip's time into the video. */
const FINE_STEPS = [1, 2, 5, 10].map((s) => s * 1000);

/** The smallest round time step that gives at most 6 ticks over the span (from 1 s with `fine`). */
export function tickStep(spanMs: number, fine = false): number {
  return (fine ? [...FINE_STEPS, ...STEPS] : STEPS).find((s) => spanMs / s <= 6) ?? STEPS[STEPS.length - 1] ?? MINUTE;
}

export function TimelineChart({ points, windowMs, now, showFaces = false, time }: Props) {
  const label = (ts: number, withSeconds = true): string => (time ? time.format(ts) : clock(ts, withSeconds));
  const origin = time?.origin ?? 0;
  // Suppressed points carry null values: Chart.js leaves a gap there instead of inventing data.
  const series = (pick: (p: TimelinePoint) => number | null): XY[] => points.map((p) => ({ x: p.ts, y: pick(p) }));
  const canvas = useChart<'line'>(
    () => ({
      type: 'line',
      data: {
        datasets: [
          {
            label: 'Valence',
            data: [],
            borderColor: VALENCE_COLOR,
            backgroundColor: 'rgba(242, 201, 76, 0.12)',
            borderWidth: 3,
            pointRadius: 0,
            tension: 0.3,
            spanGaps: false,
            yAxisID: 'y',
          },
          {
            label: 'Attention',
            data: [],
            borderColor: ATTENTION_COLOR,
            borderWidth: 3,
            borderDash: [8, 5],
            pointRadius: 0,
            tension: 0.3,
            spanGaps: false,
            yAxisID: 'y',
          },
          {
            label: 'Faces',
            data: [],
            borderColor: 'rgba(148, 163, 184, 0.7)',
            borderWidth: 1.5,
            pointRadius: 0,
            stepped: true,
            yAxisID: 'faces',
            hidden: !showFaces,
          },
        ],
      },
      options: {
        parsing: false,
        normalized: true,
        interaction: { mode: 'index', intersect: false },
        plugins: {
          legend: {
            position: 'top',
            align: 'end',
            labels: { boxWidth: 24, boxHeight: 3, padding: 16, filter: (item) => showFaces || item.text !== 'Faces' },
          },
          tooltip: {
            callbacks: {
              title: (items) => {
                const x = items[0]?.parsed.x;
                return x === undefined || x === null ? clock(null) : label(x);
              },
              label: (c) =>
                ` ${c.dataset.label ?? ''}: ${c.parsed.y === null ? '—' : c.parsed.y.toFixed(c.dataset.yAxisID === 'faces' ? 0 : 2)}`,
            },
          },
        },
        scales: {
          x: {
            type: 'linear',
            ticks: { maxTicksLimit: 8, callback: (v) => label(Number(v), Number(v) % MINUTE !== 0) },
            grid: { display: false },
            // Ticks on whole clock minutes (Chart.js would otherwise start them at the odd axis minimum).
            afterBuildTicks: (axis) => {
              const step = tickStep(axis.max - axis.min, time !== undefined);
              const ticks = [];
              for (let t = origin + Math.ceil((axis.min - origin) / step) * step; t <= axis.max; t += step)
                ticks.push({ value: t });
              axis.ticks = ticks;
            },
          },
          y: { min: -1, max: 1, ticks: { stepSize: 0.5 }, title: { display: true, text: 'valence · attention' } },
          faces: {
            position: 'right',
            beginAtZero: true,
            display: showFaces,
            grid: { display: false },
            ticks: { precision: 0 },
          },
        },
      },
    }),
    (chart) => {
      const [valence, attention, faces] = chart.data.datasets;
      if (valence) valence.data = series((p) => p.valence);
      if (attention) attention.data = series((p) => p.attention);
      if (faces) faces.data = series((p) => p.faces);
      const facesScale = chart.options.scales?.faces;
      // Head room (as in the PDF), so a constant count is not drawn on the chart's top edge.
      if (facesScale) facesScale.suggestedMax = Math.ceil(Math.max(1, ...points.map((p) => p.faces)) * 1.2);
      const x = chart.options.scales?.x;
      if (x && windowMs) {
        const end = now ?? Date.now();
        x.min = end - windowMs;
        x.max = end;
      } else if (x && points.length > 1) {
        // Fit the session exactly instead of rounding the axis out to "nice" tick values.
        x.min = points[0]?.ts;
        x.max = points[points.length - 1]?.ts;
      }
    },
  );
  return <canvas ref={canvas} role="img" aria-label="Valence and attention over time" />;
}
