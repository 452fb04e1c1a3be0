import { useRef } from 'preact/hooks';
import { EMOTION_COLORS, EMOTION_LABELS, EMOTIONS, type Emotion } from '../emotions';
import { clock } from '../format';
import type { Domain } from '../live/window';
import { hiddenBandsPlugin, type Band } from './hiddenBands';
import { timeAxis } from './time-axis';
import { NARROW_PX, showAxisTitles } from './TrendChart';
import { useChart } from './useChart';

interface Props {
  ts: readonly number[];
  /** Per point the 7 shares (FER order, summing to 1), null where withheld. */
  shares: readonly (readonly number[] | null)[];
  domain: Domain;
  bands: readonly Band[];
  label?: string;
}

/** Stacking order, bottom up: the calm baseline first, then positive, then negative emotions. */
export const STACK_ORDER: readonly Emotion[] = ['neutral', 'happy', 'surprise', 'sad', 'fear', 'angry', 'disgust'];

/** The emotions' shares of the read listeners over time, stacked to 100 %, in the dashboard's colours. */
export function SharesChart({ ts, shares, domain, bands, label = 'Emotion shares over time' }: Props) {
  const bandsRef = useRef(bands);
  bandsRef.current = bands;
  const canvas = useChart<'line'>(
    () => ({
      type: 'line',
      data: {
        datasets: STACK_ORDER.map((e, i) => ({
          label: EMOTION_LABELS[e],
          data: [],
          borderColor: EMOTION_COLORS[e],
          backgroundColor: `${EMOTION_COLORS[e]}D0`,
          borderWidth: 1,
          pointRadius: 0,
          spanGaps: false,
          fill: i === 0 ? 'origin' : '-1',
        })),
      },
      plugins: [hiddenBandsPlugin<'line'>(() => bandsRef.current)],
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        interaction: { mode: 'index', intersect: false },
        plugins: {
          legend: { position: 'top', align: 'start', labels: { boxWidth: 14, boxHeight: 14, padding: 10 } },
          tooltip: {
            itemSort: (a, b) => b.datasetIndex - a.datasetIndex,
            callbacks: {
              title: (items) => clock(items[0]?.parsed.x ?? null),
              label: (c) => ` ${c.dataset.label ?? ''}: ${c.parsed.y === null ? '—' : `${c.parsed.y.toFixed(0)}%`}`,
            },
          },
        },
        scales: {
          x: timeAxis(),
          y: {
            stacked: true,
            min: 0,
            max: 100,
            ticks: { stepSize: 25, callback: (v) => `${v}%` },
            title: { display: true, text: 'share of read listeners' },
          },
        },
      },
    }),
    (chart) => {
      chart.data.datasets.forEach((ds, k) => {
        const c = EMOTIONS.indexOf(STACK_ORDER[k] ?? 'neutral');
        ds.data = ts.map((x, i) => {
          const s = shares[i];
          return { x, y: s ? (s[c] ?? 0) * 100 : null };
        });
      });
      const x = chart.options.scales?.x;
      if (x) {
        x.min = domain.min;
        x.max = domain.max;
      }
      showAxisTitles(chart.width >= NARROW_PX, chart.options.scales?.y);
    },
  );
  return <canvas ref={canvas} role="img" aria-label={label} />;
}
