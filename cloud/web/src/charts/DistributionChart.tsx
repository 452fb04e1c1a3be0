import { EMOTION_COLORS, EMOTION_LABELS, EMOTIONS } from '../emotions';
import { useChart } from './useChart';

interface Props {
  distribution: readonly number[] | null;
  kind?: 'doughnut' | 'bar';
  label?: string;
}

const colors = EMOTIONS.map((e) => EMOTION_COLORS[e]);
const labels = EMOTIONS.map((e) => EMOTION_LABELS[e]);

export function DistributionChart({ distribution, kind = 'doughnut', label = 'Emotion distribution' }: Props) {
  const values = () => EMOTIONS.map((_, i) => Math.round((distribution?.[i] ?? 0) * 1000) / 10);
  const canvas = useChart<'doughnut' | 'bar'>(
    () =>
      kind === 'doughnut'
        ? {
            type: 'doughnut',
            data: {
              labels,
              datasets: [{ data: values(), backgroundColor: colors, borderColor: '#151e2d', borderWidth: 2 }],
            },
            options: {
              cutout: '62%',
              plugins: {
                legend: { display: false },
                tooltip: { callbacks: { label: (c) => ` ${c.label}: ${String(c.raw)}%` } },
              },
            },
          }
        : {
            type: 'bar',
            data: { labels, datasets: [{ data: values(), backgroundColor: colors, borderRadius: 6 }] },
            options: {
              plugins: { legend: { display: false }, tooltip: { callbacks: { label: (c) => ` ${String(c.raw)}%` } } },
              scales: {
                y: { beginAtZero: true, max: 100, ticks: { callback: (v) => `${v}%` } },
                x: { grid: { display: false } },
              },
            },
          },
    (chart) => {
      const ds = chart.data.datasets[0];
      if (ds) ds.data = values();
    },
  );
  return <canvas ref={canvas} role="img" aria-label={label} />;
}
