/** Structurally identical to @lectern/models' GrayImage: 8-bit grayscale, row-major, no padding. */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Copies the part of `box` that lies inside the image; pixels outside are filled by edge replication. */
export function cropGray(img: GrayImage, box: Box): GrayImage {
  const w = Math.max(1, Math.round(box.width));
  const h = Math.max(1, Math.round(box.height));
  const x0 = Math.round(box.x);
  const y0 = Math.round(box.y);
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(img.height - 1, Math.max(0, y0 + y));
    const row = sy * img.width;
    for (let x = 0; x < w; x++) {
      const sx = Math.min(img.width - 1, Math.max(0, x0 + x));
      out[y * w + x] = img.data[row + sx]!;
    }
  }
  return { width: w, height: h, data: out };
}

/** Bilinear resize (used for detector downscale and for composing eval scenes). */
export function resizeGray(img: GrayImage, width: number, height: number): GrayImage {
  const out = new Uint8Array(width * height);
  const sx = img.width / width;
  const sy = img.height / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.max(0, (y + 0.5) * sy - 0.5);
    const y1 = Math.min(img.height - 1, Math.floor(fy));
    const y2 = Math.min(img.height - 1, y1 + 1);
    const wy = fy - y1;
    for (let x = 0; x < width; x++) {
      const fx = Math.max(0, (x + 0.5) * sx - 0.5);
      const x1 = Math.min(img.width - 1, Math.floor(fx));
      const x2 = Math.min(img.width - 1, x1 + 1);
      const wx = fx - x1;
      const a = img.data[y1 * img.width + x1]!;
      const b = img.data[y1 * img.width + x2]!;
      const c = img.data[y2 * img.width + x1]!;
      const d = img.data[y2 * img.width + x2]!;
      out[y * width + x] = Math.round((a * (1 - wx) + b * wx) * (1 - wy) + (c * (1 - wx) + d * wx) * wy);
    }
  }
  return { width, height, data: out };
}

/** Grows a box by `margin` of its size on every side (0.2 = 20% each side), keeping its centre. */
export function expandBox(box: Box, margin: number): Box {
  return {
    x: box.x - box.width * margin,
    y: box.y - box.height * margin,
    width: box.width * (1 + 2 * margin),
    height: box.height * (1 + 2 * margin),
  };
}

export function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const inter = ix * iy;
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}
