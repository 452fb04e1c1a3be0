/** 8-bit grayscale image, row-major, `data.length === width * height`. */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export function assertGrayImage(img: GrayImage, what = 'image'): void {
  if (!Number.isInteger(img.width) || !Number.isInteger(img.height) || img.width <= 0 || img.height <= 0) {
    throw new Error(`${what}: invalid size ${img.width}x${img.height}`);
  }
  if (img.data.length !== img.width * img.height) {
    throw new Error(`${what}: ${img.data.length} pixels for a ${img.width}x${img.height} image`);
  }
}

/**
 * Bilinear resize with pixel-centre alignment (the OpenCV INTER_LINEAR / TF half_pixel_centers
 * convention), so crops resized here match crops resized by the device's OpenCV path.
 */
export function resizeBilinear(src: GrayImage, width: number, height: number): GrayImage {
  assertGrayImage(src, 'resizeBilinear source');
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new Error(`resizeBilinear: invalid target size ${width}x${height}`);
  }
  if (src.width === width && src.height === height) return { width, height, data: src.data.slice() };
  const out = new Uint8Array(width * height);
  const sx = src.width / width;
  const sy = src.height / height;
  const xs0 = new Int32Array(width);
  const xs1 = new Int32Array(width);
  const wx = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), src.width - 1);
    const x0 = Math.floor(fx);
    xs0[x] = x0;
    xs1[x] = Math.min(x0 + 1, src.width - 1);
    wx[x] = fx - x0;
  }
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), src.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, src.height - 1);
    const wy = fy - y0;
    const r0 = y0 * src.width;
    const r1 = y1 * src.width;
    for (let x = 0; x < width; x++) {
      const a = xs0[x] ?? 0;
      const b = xs1[x] ?? 0;
      const w = wx[x] ?? 0;
      const top = (src.data[r0 + a] ?? 0) * (1 - w) + (src.data[r0 + b] ?? 0) * w;
      const bottom = (src.data[r1 + a] ?? 0) * (1 - w) + (src.data[r1 + b] ?? 0) * w;
      out[y * width + x] = Math.round(top * (1 - wy) + bottom * wy);
    }
  }
  return { width, height, data: out };
}

/** Mirror image (left <-> right), used for flip test-time augmentation. */
export function flipHorizontal(src: GrayImage): GrayImage {
  const out = new Uint8Array(src.data.length);
  for (let y = 0; y < src.height; y++) {
    const row = y * src.width;
    for (let x = 0; x < src.width; x++) out[row + x] = src.data[row + src.width - 1 - x] ?? 0;
  }
  return { width: src.width, height: src.height, data: out };
}
