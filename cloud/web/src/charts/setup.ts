import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  DoughnutController,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';

// Registering only what the dashboard draws keeps the bundle small (chart.js is tree-shakable).
Chart.register(
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  DoughnutController,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
);

Chart.defaults.color = '#C9D1DC';
Chart.defaults.borderColor = 'rgba(148, 163, 184, 0.18)';

Chart.defaults.font.family = 'Inter, "Segoe UI", Roboto, system-ui, sans-serif';
Chart.defaults.font.size = 14;
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.animation = { duration: 250 };

export { Chart };

export const VALENCE_COLOR = '#F2C94C';
export const ATTENTION_COLOR = '#7DD3FC';
