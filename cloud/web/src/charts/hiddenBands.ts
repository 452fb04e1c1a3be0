import type { ChartType, Plugin } from 'chart.js';

/** A shaded, labelled x range on a live chart: a period the minimum group size withheld. */
export interface Band {
  from: number;
  to: number;
  label: string;
  /** For a narrow band: written along it when even `label` does not fit across. */
  short: string;
}

let hatch: CanvasPattern | null | undefined;

/** Diagonal grey stripes: reads as "nothing shown here" without a colour of its own. */
function hatchPattern(ctx: CanvasRenderingContext2D): CanvasPattern | null {
  if (hatch !== undefined) return hatch;
  const tile = document.createElement('canvas');
  tile.width = 10;
  tile.height = 10;
  const t = tile.getContext('2d');
  if (!t) return (hatch = null);
  t.fillStyle = 'rgba(148, 163, 184, 0.14)';
  t.fillRect(0, 0, 10, 10);
  t.strokeStyle = 'rgba(203, 213, 225, 0.32)';
  t.lineWidth = 2;
  t.beginPath();
  t.moveTo(-2, 12);
  t.lineTo(12, -2);
  t.moveTo(8, 12);
  t.lineTo(12, 8);
  t.moveTo(-2, 2);
  t.lineTo(2, -2);
  t.stroke();
  return (hatch = ctx.createPattern(tile, 'repeat'));
}

/**
 * Shades each band behind the datasets and writes its label at the top when it fits (a shorter "hidden"
 * when only that fits). `bands` is read on every draw, so the chart follows new bands without recreating it.
 */
export function hiddenBandsPlugin<T extends ChartType>(bands: () => readonly Band[]): Plugin<T> {
  return {
    id: 'hiddenBands',
    beforeDatasetsDraw(chart) {
      const list = bands();
      const x = chart.scales.x;
      if (!list.length || !x) return;
      const { ctx, chartArea: area } = chart;
      ctx.save();
      ctx.beginPath();
      ctx.rect(area.left, area.top, area.right - area.left, area.bottom - area.top);
      ctx.clip();
      ctx.font = '600 13px Inter, "Segoe UI", Roboto, system-ui, sans-serif';
      ctx.textBaseline = 'top';
      for (const b of list) {
        const x0 = Math.max(area.left, x.getPixelForValue(b.from));
        const x1 = Math.min(area.right, x.getPixelForValue(b.to));
        if (!(x1 - x0 >= 1)) continue;
        ctx.fillStyle = hatchPattern(ctx) ?? 'rgba(148, 163, 184, 0.16)';
        ctx.fillRect(x0, area.top, x1 - x0, area.bottom - area.top);
        ctx.fillStyle = 'rgba(203, 213, 225, 0.55)';
        ctx.fillRect(x0, area.top, 1, area.bottom - area.top);
        ctx.fillRect(x1 - 1, area.top, 1, area.bottom - area.top);
        const text = [b.label, b.short].find((s) => ctx.measureText(s).width + 12 <= x1 - x0);
        if (text) {
          const w = ctx.measureText(text).width + 8;
          ctx.fillStyle = 'rgba(15, 22, 35, 0.85)';
          ctx.fillRect(x0 + 2, area.top + 4, w, 20);
          ctx.fillStyle = '#E2E8F0';
          ctx.fillText(text, x0 + 6, area.top + 7);
        } else if (x1 - x0 >= 18 && ctx.measureText(b.short).width + 12 <= area.bottom - area.top) {
          // Too narrow to write across: along the band, bottom up.
          const w = ctx.measureText(b.short).width + 8;
          const cx = (x0 + x1) / 2;
          ctx.translate(cx, area.top + 4 + w);
          ctx.rotate(-Math.PI / 2);
          ctx.fillStyle = 'rgba(15, 22, 35, 0.85)';
          ctx.fillRect(0, -9, w, 18);
          ctx.fillStyle = '#E2E8F0';
          ctx.textBaseline = 'middle';
          ctx.fillText(b.short, 4, 1);
          ctx.setTransform(1, 0, 0, 1, 0, 0);
          ctx.textBaseline = 'top';
        }
      }
      ctx.restore();
    },
  };
}
