import { GLYPH_WIDTH, glyphRows } from '../bitmap-glyphs';

export { GLYPH_HEIGHT, GLYPH_WIDTH } from '../bitmap-glyphs';

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
