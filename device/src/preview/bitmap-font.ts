import { GLYPH_HEIGHT, GLYPH_WIDTH, glyphRows } from '@lectern/vision';
import type { GrayImage } from '@lectern/vision';

/** Drawn for characters the font lacks, so a label never silently loses one. */
const UNKNOWN = [0x1f, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1f];

/** One character cell: the glyph plus a blank column and row. */
export const GLYPH_W = GLYPH_WIDTH + 1;
export const GLYPH_H = GLYPH_HEIGHT + 1;

/** Width in pixels of `text` drawn at `scale`. */
export function textWidth(text: string, scale: number): number {
  return text.length * GLYPH_W * scale;
}

/** Draws `text` with its top-left corner at (x, y); pixels outside the image are skipped. */
export function drawText(img: GrayImage, text: string, x: number, y: number, value: number, scale = 1): void {
  for (let i = 0; i < text.length; i++) {
    const rows = glyphRows(text[i]!) ?? UNKNOWN;
    rows.forEach((bits, cy) => {
      for (let cx = 0; cx < GLYPH_WIDTH; cx++) {
        if (!(bits & (1 << (GLYPH_WIDTH - 1 - cx)))) continue;
        fillRect(img, x + (i * GLYPH_W + cx) * scale, y + cy * scale, scale, scale, value);
      }
    });
  }
}

export function fillRect(img: GrayImage, x: number, y: number, w: number, h: number, value: number): void {
  const x0 = Math.max(0, Math.round(x));
  const y0 = Math.max(0, Math.round(y));
  const x1 = Math.min(img.width, Math.round(x + w));
  const y1 = Math.min(img.height, Math.round(y + h));
  for (let yy = y0; yy < y1; yy++) img.data.fill(value, yy * img.width + x0, yy * img.width + Math.max(x0, x1));
}

/** Rectangle outline `thickness` pixels wide, drawn inside the box. */
export function strokeRect(
  img: GrayImage,
  x: number,
  y: number,
  w: number,
  h: number,
  value: number,
  thickness = 2,
): void {
  fillRect(img, x, y, w, thickness, value);
  fillRect(img, x, y + h - thickness, w, thickness, value);
  fillRect(img, x, y, thickness, h, value);
  fillRect(img, x + w - thickness, y, thickness, h, value);
}

/** Dashed rectangle outline (dashes `dash` pixels long), drawn inside the box: marks faces shown but not read. */
export function dashedRect(
  img: GrayImage,
  x: number,
  y: number,
  w: number,
  h: number,
  value: number,
  thickness = 2,
  dash = 4,
): void {
  for (let d = 0; d < w; d += 2 * dash) {
    const len = Math.min(dash, w - d);
    fillRect(img, x + d, y, len, thickness, value);
    fillRect(img, x + d, y + h - thickness, len, thickness, value);
  }
  for (let d = 0; d < h; d += 2 * dash) {
    const len = Math.min(dash, h - d);
    fillRect(img, x, y + d, thickness, len, value);
    fillRect(img, x + w - thickness, y + d, thickness, len, value);
  }
}
