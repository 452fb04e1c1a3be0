import type { ChartConfiguration, ChartType } from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';
import { Chart } from './setup';

/**
 * Creates the chart once per canvas and lets `update` mutate it in place on every render,
 * so live data does not recreate the chart (and its animations) a few times a second.
 */
export function useChart<T extends ChartType>(create: () => ChartConfiguration<T>, update: (chart: Chart<T>) => void) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<T> | null>(null);

  useEffect(() => {
    if (!canvas.current) return;
    chart.current = new Chart(canvas.current, create());
    update(chart.current);
    chart.current.update('none');
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
    // Created once; data flows through `update`.
  }, []);

  useEffect(() => {
    if (!chart.current) return;
    update(chart.current);
    chart.current.update();
  });

  return canvas;
}
