import type { Box, GrayImage } from '../../image/gray-image';

/** A frame turned about its centre onto a canvas large enough that no pixel of the original is lost. */
export interface RotatedFrame {
  image: GrayImage;
  /** Maps a point of the rotated canvas back into the original frame. */
  toSource(x: number, y: number): { x: number; y: number };
}

/**
 * Rotates `img` by `degrees` (positive = counter-clockwise on screen) with bilinear sampling. Done in
 * plain TypeScript rather than with cv.warpAffine so the native and wasm plugins see the very same pixels
 * and therefore keep returning identical boxes. Outside the source the border pixels are replicated, which
 * gives Haar no artificial edges to fire on.
 */
export function rotateGray(img: GrayImage, degrees: number): RotatedFrame {
  const rad = (degrees * Math.PI) / 180;
  const cos = Math.cos(rad);
  const sin = Math.sin(rad);
  // The epsilon keeps right angles exact (cos 90 degrees is 6e-17, not 0).
  const width = Math.ceil(img.width * Math.abs(cos) + img.height * Math.abs(sin) - 1e-9);
  const height = Math.ceil(img.width * Math.abs(sin) + img.height * Math.abs(cos) - 1e-9);
  const scx = img.width / 2;
  const scy = img.height / 2;
  const dcx = width / 2;
  const dcy = height / 2;
  // Inverse mapping (destination -> source): screen y points down, so a counter-clockwise turn on screen
  // is a clockwise one in these coordinates.
  const toSource = (x: number, y: number): { x: number; y: number } => {
    const dx = x - dcx;
    const dy = y - dcy;
    return { x: scx + cos * dx - sin * dy, y: scy + sin * dx + cos * dy };
  };
  const out = new Uint8Array(width * height);
  const maxX = img.width - 1;
  const maxY = img.height - 1;
  const src = img.data;
  for (let y = 0; y < height; y++) {
    const dy = y + 0.5 - dcy;
    // Walk along the row incrementally: the source point moves by (cos, sin) per destination pixel.
    let sx = scx + cos * (0.5 - dcx) - sin * dy - 0.5;
    let sy = scy + sin * (0.5 - dcx) + cos * dy - 0.5;
    const row = y * width;
    for (let x = 0; x < width; x++, sx += cos, sy += sin) {
      const cx = sx < 0 ? 0 : sx > maxX ? maxX : sx;
      const cy = sy < 0 ? 0 : sy > maxY ? maxY : sy;
      const x1 = Math.floor(cx);
      const y1 = Math.floor(cy);
      const x2 = x1 < maxX ? x1 + 1 : x1;
      const y2 = y1 < maxY ? y1 + 1 : y1;
      const wx = cx - x1;
      const wy = cy - y1;
      const a = src[y1 * img.width + x1]!;
      const b = src[y1 * img.width + x2]!;
      const c = src[y2 * img.width + x1]!;
      const d = src[y2 * img.width + x2]!;
      out[row + x] = Math.round((a + (b - a) * wx) * (1 - wy) + (c + (d - c) * wx) * wy);
    }
  }
  return { image: { width, height, data: out }, toSource };
}

/**
 * A face found upright on the rotated canvas, as an axis-aligned box of the same side around its centre in
 * the original frame: the frame a classifier trained on FER2013 crops expects (FER faces are not de-rotated).
 */
export function boxToSource(box: Box, frame: RotatedFrame): Box {
  const c = frame.toSource(box.x + box.width / 2, box.y + box.height / 2);
  return { x: c.x - box.width / 2, y: c.y - box.height / 2, width: box.width, height: box.height };
}
