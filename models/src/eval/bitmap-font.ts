import { GLYPH_WIDTH, glyphRows } from '@lectern/vision';

export { GLYPH_HEIGHT, GLYPH_WIDTH } from '@lectern/vision';

export type Rgb = readonly [number, number, number];

/** RGBA canvas with just what a labelled heat map needs. */
export class Canvas {
  readonly data: Buffer;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = [255, 255, 255],
  ) {
    this.data = Buffer.alloc(width * height * 4);
    this.fillRect(0, 0, width, height, background);
  }

  fillRect(x0: number, y0: number, w: number, h: number, [r, g, b]: Rgb): void {
    for (let y = Math.max(0, y0); y < Math.min(this.height, y0 + h); y++) {
      for (let x = Math.max(0, x0); x < Math.min(this.width, x0 + w); x++) {
        const i = (y * this.width + x) * 4;
        this.data[i] = r;
        this.data[i + 1] = g;
        this.data[i + 2] = b;
        this.data[i + 3] = 255;
      }
    }
  }

  /**
   * Straight line `thickness` pixels wide (square pen stamped every half pixel); `dash` = [on, off] lengths
   * in pixels for a dashed line.
   */
  line(x0: number, y0: number, x1: number, y1: number, color: Rgb, thickness = 1, dash?: [number, number]): void {
    const len = Math.hypot(x1 - x0, y1 - y0);
    const steps = Math.max(1, Math.ceil(len * 2));
    const half = Math.floor(thickness / 2);
    for (let s = 0; s <= steps; s++) {
      const t = s / steps;
      if (dash && (t * len) % (dash[0] + dash[1]) >= dash[0]) continue;
      const x = Math.round(x0 + (x1 - x0) * t) - half;
      const y = Math.round(y0 + (y1 - y0) * t) - half;
      this.fillRect(x, y, thickness, thickness, color);
    }
  }

  /** Draws upper-cased text; unknown characters render as blanks. */
  text(x: number, y: number, text: string, color: Rgb, scale = 2): void {
    let cx = x;
    for (const ch of text.toUpperCase()) {
      const rows = glyphRows(ch) ?? [];
      rows.forEach((bits, ry) => {
        for (let rx = 0; rx < GLYPH_WIDTH; rx++) {
          if (bits & (1 << (GLYPH_WIDTH - 1 - rx))) this.fillRect(cx + rx * scale, y + ry * scale, scale, scale, color);
        }
      });
      cx += (GLYPH_WIDTH + 1) * scale;
    }
  }

  static textWidth(text: string, scale = 2): number {
    return text.length * (GLYPH_WIDTH + 1) * scale - scale;
  }
}
