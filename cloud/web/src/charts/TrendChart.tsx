import { useRef } from 'preact/hooks';
import { clock } from '../format';
import type { Domain } from '../live/window';
import { hiddenBandsPlugin, type Band } from './hiddenBands';
import { ATTENTION_COLOR, VALENCE_COLOR } from './setup';
import { timeAxis } from './time-axis';
import { useChart } from './useChart';

export interface TrendSeries {
  ts: readonly number[];
  valence: readonly (number | null)[];
  valenceRaw: readonly (number | null)[];
  /** Shares 0..1; drawn as %. */
  attention: readonly (number | null)[];
  attentionRaw: readonly (number | null)[];
}

interface Props {
  series: TrendSeries;
  domain: Domain;
  bands: readonly Band[];
  showRaw: boolean;
  /** Describes the smoothing for the legend, e.g. "10 s average". */
  smoothLabel: string;
}

type XY = { x: number; y: number | null };

/** Below this chart width the y axes lose their titles. */
export const NARROW_PX = 520;

/** Shows or hides the titles of cartesian scales (a no-op for scales without one). */
export function showAxisTitles(show: boolean, ...scales: unknown[]): void {
  for (const scale of scales) {
    const title = (scale as { title?: { display?: boolean } } | undefined)?.title;
    if (title) title.display = show;
  }
}

const xy = (ts: readonly number[], ys: readonly (number | null)[], scale = 1): XY[] =>
  ts.map((x, i) => {
    const y = ys[i] ?? null;
    return { x, y: y === null ? null : y * scale };
  });

/**
 * Valence (-1..1, left axis) and attention (0..100 %, right axis) over time: the smoothed trend in bold,
 * the raw 1 s values thin behind it, privacy-hidden periods shaded and labelled.
 */
export function TrendChart({ series, domain, bands, showRaw, smoothLabel }: Props) {
  const bandsRef = useRef(bands);
  bandsRef.current = bands;
  const canvas = useChart<'line'>(
    () => ({
      type: 'line',
      data: {
        datasets: [
          {
            label: `Valence (${smoothLabel})`,
            data: [],
            borderColor: VALENCE_COLOR,
            borderWidth: 4,
            pointRadius: 0,
            spanGaps: false,
            yAxisID: 'valence',
          },
          {
            label: `Attention (${smoothLabel})`,
            data: [],
            borderColor: ATTENTION_COLOR,
            borderWidth: 4,
            borderDash: [10, 6],
            pointRadius: 0,
            spanGaps: false,
            yAxisID: 'attention',
          },
          {
            label: 'Valence, raw 1 s',
            data: [],
            borderColor: 'rgba(242, 201, 76, 0.35)',
            borderWidth: 1,
            pointRadius: 0,
            spanGaps: false,
            yAxisID: 'valence',
          },
          {
            label: 'Attention, raw 1 s',
            data: [],
            borderColor: 'rgba(125, 211, 252, 0.35)',
            borderWidth: 1,
            pointRadius: 0,
            spanGaps: false,
            yAxisID: 'attention',
          },
        ],
      },
      plugins: [hiddenBandsPlugin<'line'>(() => bandsRef.current)],
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        interaction: { mode: 'index', intersect: false },
        layout: { padding: { top: 4 } },
        plugins: {
          legend: {
            position: 'top',
            align: 'start',
            labels: {
              boxWidth: 22,
              boxHeight: 3,
              padding: 12,
              // The thin raw lines are explained under the chart; the legend stays one line on a phone.
              filter: (item) => !String(item.text).includes('raw'),
            },
          },
          tooltip: {
            callbacks: {
              title: (items) => clock(items[0]?.parsed.x ?? null),
              label: (c) => {
                const y = c.parsed.y;
                const v = y === null ? '—' : c.dataset.yAxisID === 'attention' ? `${y.toFixed(0)}%` : y.toFixed(2);
                return ` ${c.dataset.label ?? ''}: ${v}`;
              },
            },
          },
        },
        scales: {
          x: timeAxis(),
          valence: {
            position: 'left',
            min: -1,
            max: 1,
            ticks: { stepSize: 0.5, color: VALENCE_COLOR, callback: (v) => (Number(v) > 0 ? `+${v}` : String(v)) },
            title: { display: true, text: 'valence', color: VALENCE_COLOR },
          },
          attention: {
            position: 'right',
            min: 0,
            max: 100,
            grid: { display: false },
            ticks: { stepSize: 25, color: ATTENTION_COLOR, callback: (v) => `${v}%` },
            title: { display: true, text: 'attention', color: ATTENTION_COLOR },
          },
        },
      },
    }),
    (chart) => {
      const [valence, attention, valenceRaw, attentionRaw] = chart.data.datasets;
      // A line needs two points: the very first seconds show dots instead of an empty chart.
      const dots = series.ts.length < 3 ? 4 : 0;
      if (valence) {
        valence.data = xy(series.ts, series.valence);
        valence.pointRadius = dots;
      }
      if (attention) {
        attention.data = xy(series.ts, series.attention, 100);
        attention.pointRadius = dots;
      }
      if (valenceRaw) {
        valenceRaw.data = showRaw ? xy(series.ts, series.valenceRaw) : [];
        valenceRaw.hidden = !showRaw;
      }
      if (attentionRaw) {
        attentionRaw.data = showRaw ? xy(series.ts, series.attentionRaw, 100) : [];
        attentionRaw.hidden = !showRaw;
      }
      const scales = chart.options.scales;
      const x = scales?.x;
      if (x) {
        x.min = domain.min;
        x.max = domain.max;
      }
      // On a phone the coloured ticks name the axes; their titles would squeeze the plot.
      showAxisTitles(chart.width >= NARROW_PX, scales?.valence, scales?.attention);
    },
  );
  return (
    <canvas
      ref={canvas}
      role="img"
      aria-label={`Valence (left axis, −1 to +1) and attention (right axis, 0 to 100 %) over time, ${smoothLabel}${showRaw ? ', with the raw 1 s values' : ''}`}
    />
  );
}
