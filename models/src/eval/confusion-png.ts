import { PNG } from 'pngjs';
import { LABELS } from '@lectern/vision';
import { Canvas, GLYPH_HEIGHT, type Rgb } from './bitmap-font';

const CELL = 64;
const LEFT = 120;
const TOP = 70;
const SCALE = 2;

/** White -> dark blue by row-normalised rate (recall along the diagonal). */
function heat(rate: number): Rgb {
  const t = Math.min(1, Math.max(0, rate));
  return [Math.round(255 - 225 * t), Math.round(255 - 175 * t), Math.round(255 - 95 * t)];
}

/**
 * Confusion matrix heat map: rows = true class, columns = predicted class, each cell coloured and
 * labelled by the share of its row, with the raw count underneath.
 */
export function renderConfusionPng(confusion: readonly (readonly number[])[], title: string): Buffer {
  const n = confusion.length;
  const canvas = new Canvas(LEFT + n * CELL + 20, TOP + n * CELL + 40);
  canvas.text(10, 10, title, [0, 0, 0], SCALE);
  canvas.text(LEFT, TOP - 44, 'predicted', [90, 90, 90], SCALE);
  canvas.text(10, TOP + n * CELL + 14, 'rows: true class', [90, 90, 90], SCALE);
  for (let c = 0; c < n; c++) {
    const label = (LABELS[c] ?? String(c)).slice(0, 3);
    canvas.text(LEFT + c * CELL + (CELL - Canvas.textWidth(label, SCALE)) / 2, TOP - 20, label, [0, 0, 0], SCALE);
  }
  confusion.forEach((row, r) => {
    const total = row.reduce((a, b) => a + b, 0);
    canvas.text(10, TOP + r * CELL + CELL / 2 - GLYPH_HEIGHT, LABELS[r] ?? String(r), [0, 0, 0], SCALE);
    row.forEach((count, c) => {
      const rate = total === 0 ? 0 : count / total;
      const x = LEFT + c * CELL;
      const y = TOP + r * CELL;
      canvas.fillRect(x, y, CELL - 2, CELL - 2, heat(rate));
      const ink: Rgb = rate > 0.5 ? [255, 255, 255] : [0, 0, 0];
      const pct = `${Math.round(100 * rate)}%`;
      canvas.text(x + (CELL - Canvas.textWidth(pct, SCALE)) / 2, y + 14, pct, ink, SCALE);
      const cnt = String(count);
      canvas.text(x + (CELL - Canvas.textWidth(cnt, 1)) / 2, y + 40, cnt, ink, 1);
    });
  });
  const png = new PNG({ width: canvas.width, height: canvas.height });
  canvas.data.copy(png.data);
  return PNG.sync.write(png);
}
