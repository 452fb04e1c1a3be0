import { PNG } from 'pngjs';
import { LABELS } from '@lectern/vision';
import { Canvas, GLYPH_HEIGHT, type Rgb } from './bitmap-font';

/** One model's results: accuracy and per-class recall (FER2013 class order) at each face size. */
export interface FaceSizeSeries {
  name: string;
  sizes: readonly number[];
  accuracy: readonly number[];
  /** recall[sizeIndex][class] */
  recall: readonly (readonly number[])[];
}

/** Fixed colour per FER2013 class (angry, disgust, fear, happy, sad, surprise, neutral). */
export const CLASS_COLORS: readonly Rgb[] = [
  [214, 39, 40],
  [44, 160, 44],
  [148, 103, 189],
  [255, 127, 14],
  [31, 119, 180],
  [227, 119, 194],
  [127, 127, 127],
];

const S = 2; // text scale
const CHAR_H = GLYPH_HEIGHT * S;
const PW = 440; // plot area per panel
const PH = 360;
const LEFT = 70;
const GAP = 90;
const TOP = 84;
const LEGEND_W = 250;
const BLACK: Rgb = [0, 0, 0];
const GRID: Rgb = [225, 225, 225];
const AXIS: Rgb = [60, 60, 60];
const MUTED: Rgb = [90, 90, 90];

/**
 * Accuracy (thick black) and per-class recall (one colour per class) against face size, one panel per
 * model, log-scaled size axis, dashed line at the majority-class share (what always answering the
 * largest class would score).
 */
export function renderFaceSizePng(
  series: readonly FaceSizeSeries[],
  title: string,
  majority: { share: number; label: string },
): Buffer {
  if (series.length === 0) throw new Error('renderFaceSizePng: no series');
  const width = LEFT + series.length * PW + (series.length - 1) * GAP + 40 + LEGEND_W;
  const height = TOP + PH + 96;
  const canvas = new Canvas(width, height);
  canvas.text(LEFT, 14, title, BLACK, S);

  series.forEach((s, panel) => {
    const x0 = LEFT + panel * (PW + GAP);
    const y0 = TOP;
    const lo = Math.log((s.sizes[0] ?? 1) / 1.2);
    const hi = Math.log((s.sizes.at(-1) ?? 2) * 1.15);
    const px = (size: number): number => Math.round(x0 + ((Math.log(size) - lo) / (hi - lo)) * PW);
    const py = (v: number): number => Math.round(y0 + PH - Math.min(1, Math.max(0, v)) * PH);

    canvas.text(x0, y0 - 2 * CHAR_H - 12, s.name, BLACK, S);
    // The subtitle only where it fits before the next panel (long model names take the room).
    const subtitle = ['recall per class and accuracy %', 'recall and accuracy %'].find(
      (t) => Canvas.textWidth(s.name, S) + 16 + Canvas.textWidth(t, S) <= PW + GAP - 16,
    );
    if (subtitle) canvas.text(x0 + Canvas.textWidth(s.name, S) + 16, y0 - 2 * CHAR_H - 12, subtitle, MUTED, S);
    for (let v = 0; v <= 100; v += 10) {
      canvas.line(x0, py(v / 100), x0 + PW, py(v / 100), GRID);
      if (v % 20 === 0) {
        const label = String(v);
        canvas.text(x0 - 10 - Canvas.textWidth(label, S), py(v / 100) - CHAR_H / 2, label, AXIS, S);
      }
    }
    for (const size of s.sizes) {
      canvas.line(px(size), y0, px(size), y0 + PH, GRID);
      canvas.line(px(size), y0 + PH, px(size), y0 + PH + 6, AXIS, 2);
      const label = String(size);
      canvas.text(px(size) - Canvas.textWidth(label, S) / 2, y0 + PH + 12, label, AXIS, S);
    }
    canvas.line(x0, y0, x0, y0 + PH, AXIS, 2);
    canvas.line(x0, y0 + PH, x0 + PW, y0 + PH, AXIS, 2);
    const xLabel = 'face size (px)';
    canvas.text(x0 + (PW - Canvas.textWidth(xLabel, S)) / 2, y0 + PH + 62, xLabel, BLACK, S);
    canvas.text(x0 - 10 - Canvas.textWidth('acc', S), y0 + PH + 36, 'acc', BLACK, S);

    canvas.line(x0, py(majority.share), x0 + PW, py(majority.share), MUTED, 2, [8, 6]);

    LABELS.forEach((_, k) => {
      const color = CLASS_COLORS[k] ?? MUTED;
      const pts = s.sizes.map((size, i) => [px(size), py(s.recall[i]?.[k] ?? 0)] as const);
      pts.forEach(([x, y], i) => {
        const next = pts[i + 1];
        if (next) canvas.line(x, y, next[0], next[1], color, 2);
        canvas.fillRect(x - 3, y - 3, 7, 7, color);
      });
    });
    const acc = s.sizes.map((size, i) => [px(size), py(s.accuracy[i] ?? 0)] as const);
    acc.forEach(([x, y], i) => {
      const next = acc[i + 1];
      if (next) canvas.line(x, y, next[0], next[1], BLACK, 4);
    });
    acc.forEach(([x, y], i) => {
      canvas.fillRect(x - 5, y - 5, 11, 11, BLACK);
      // Accuracy values in a row under the size ticks, where no line can cross them.
      const label = (100 * (s.accuracy[i] ?? 0)).toFixed(1);
      canvas.text(x - Canvas.textWidth(label, S) / 2, y0 + PH + 36, label, BLACK, S);
    });
  });

  // Legend, right of the last panel.
  const lx = LEFT + series.length * PW + (series.length - 1) * GAP + 40;
  let ly = TOP + 4;
  const entry = (color: Rgb, label: string, thickness: number, dash?: [number, number]): void => {
    canvas.line(lx, ly + CHAR_H / 2, lx + 36, ly + CHAR_H / 2, color, thickness, dash);
    if (!dash)
      canvas.fillRect(lx + 18 - thickness, ly + CHAR_H / 2 - thickness, 2 * thickness + 1, 2 * thickness + 1, color);
    canvas.text(lx + 48, ly, label, color === GRID ? MUTED : BLACK, S);
    ly += CHAR_H + 14;
  };
  entry(BLACK, 'accuracy', 4);
  LABELS.forEach((label, k) => entry(CLASS_COLORS[k] ?? MUTED, `${label} recall`, 2));
  entry(MUTED, 'majority class', 2, [8, 6]);
  canvas.text(lx + 48, ly - 8, majority.label, MUTED, S);

  const png = new PNG({ width: canvas.width, height: canvas.height });
  canvas.data.copy(png.data);
  return PNG.sync.write(png);
}
