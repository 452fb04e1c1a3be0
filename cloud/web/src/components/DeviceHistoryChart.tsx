import { tickStep } from '../charts/TimelineChart';
import { useChart } from '../charts/useChart';
import { clock } from '../format';
import type { HistoryPoint } from '../api/alerts';

interface Props {
  points: readonly HistoryPoint[];
  label: string;
  unit: string;
  color: string;
  pick: (p: HistoryPoint) => number | null;
  since: number;
  until: number;
  /** A dashed line at the alert threshold, when the rule is on. */
  threshold?: number | null;
  min?: number;
  /** Shown when every point lacks this metric (e.g. a board without a temperature sensor). */
  emptyNote?: string;
  testId?: string;
}

const MINUTE = 60_000;

/** One health metric of one device over time (line), with the alert threshold dashed. */
export function DeviceHistoryChart(props: Props) {
  const { points, label, unit, color, pick, since, until, threshold, min, emptyNote, testId } = props;
  const canvas = useChart<'line'>(
    () => ({
      type: 'line',
      data: {
        datasets: [
          {
            label,
            data: [],
            borderColor: color,
            backgroundColor: `${color}22`,
            borderWidth: 2.5,
            pointRadius: 0,
            tension: 0.25,
            fill: true,
            spanGaps: false,
          },
          {
            label: 'alert threshold',
            data: [],
            borderColor: 'rgba(239, 107, 91, 0.8)',
            borderWidth: 1.5,
            borderDash: [6, 5],
            pointRadius: 0,
          },
        ],
      },
      options: {
        parsing: false,
        normalized: true,
        interaction: { mode: 'index', intersect: false },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              title: (items) => clock(items[0]?.parsed.x ?? null),
              label: (c) =>
                ` ${c.dataset.label ?? ''}: ${c.parsed.y === null ? '—' : `${c.parsed.y.toFixed(1)} ${unit}`}`,
            },
          },
        },
        scales: {
          x: {
            type: 'linear',
            ticks: { maxTicksLimit: 6, callback: (v) => clock(Number(v), Number(v) % MINUTE !== 0) },
            grid: { display: false },
            afterBuildTicks: (axis) => {
              const step = tickStep(axis.max - axis.min);
              const ticks = [];
              for (let t = Math.ceil(axis.min / step) * step; t <= axis.max; t += step) ticks.push({ value: t });
              axis.ticks = ticks;
            },
          },
          y: { ...(min !== undefined ? { min } : {}), title: { display: true, text: unit } },
        },
      },
    }),
    (chart) => {
      const [series, limit] = chart.data.datasets;
      // History shorter than the range: the axis starts at the first point, so a young device's lines are readable.
      const first = points[0]?.ts;
      const start = first !== undefined ? Math.max(since, first - 30_000) : since;
      if (series) {
        series.data = points.map((p) => ({ x: p.ts, y: pick(p) }));
        (series as { pointRadius?: number }).pointRadius = points.length <= 60 ? 3 : 0;
      }
      if (limit)
        limit.data =
          threshold !== null && threshold !== undefined
            ? [
                { x: start, y: threshold },
                { x: until, y: threshold },
              ]
            : [];
      const x = chart.options.scales?.x;
      if (x) {
        x.min = start;
        x.max = until;
      }
    },
  );
  const noData = points.length > 0 && points.every((p) => pick(p) === null);
  return (
    <figure class="device-history-chart" data-testid={testId}>
      <figcaption>
        {label}
        <span class="muted"> · {unit}</span>
        {noData && emptyNote && <span class="muted"> · {emptyNote}</span>}
      </figcaption>
      <div class="chart device-history-canvas">
        <canvas ref={canvas} role="img" aria-label={`${label} over time`} />
      </div>
    </figure>
  );
}
