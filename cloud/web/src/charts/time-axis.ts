import type { Scale } from 'chart.js';
import { clock } from '../format';
import { tickStep } from './TimelineChart';

const MINUTE = 60_000;

/** A linear time x axis over [min, max] with ticks on round clock times (shared by the live charts). */
export function timeAxis(maxTicks = 7) {
  return {
    type: 'linear' as const,
    ticks: {
      maxTicksLimit: maxTicks,
      maxRotation: 0,
      callback: (v: number | string) => clock(Number(v), Number(v) % MINUTE !== 0),
    },
    grid: { display: false },
    afterBuildTicks: (axis: Scale) => {
      // About one label per 75 px, so a phone-wide chart gets fewer, never overlapping ones.
      const fit = Math.max(2, Math.floor(axis.width / 75));
      const step = tickStep(((axis.max - axis.min) * 6) / Math.min(6, fit));
      const ticks = [];
      for (let t = Math.ceil(axis.min / step) * step; t <= axis.max; t += step) ticks.push({ value: t });
      axis.ticks = ticks;
    },
  };
}
