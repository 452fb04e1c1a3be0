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

/**
 * Downscale by pixel-area averaging (OpenCV's INTER_AREA): every output pixel is the mean of the source area it
 * covers, as a camera sensor integrates light. A face photographed from further away looks like this, not like a
 * point-sampled or bilinear reduction, which alias. For upscaling use resizeBilinear.
 */
export function resizeArea(src: GrayImage, width: number, height: number): GrayImage {
  assertGrayImage(src, 'resizeArea source');
  if (width > src.width || height > src.height) return resizeBilinear(src, width, height);
  const out = new Uint8Array(width * height);
  const sx = src.width / width;
  const sy = src.height / height;
  const rowAcc = new Float64Array(width);
  for (let y = 0; y < height; y++) {
    rowAcc.fill(0);
    const y0 = y * sy;
    const y1 = y0 + sy;
    for (let yy = Math.floor(y0); yy < Math.min(src.height, Math.ceil(y1)); yy++) {
      const wy = Math.min(y1, yy + 1) - Math.max(y0, yy);
      const row = yy * src.width;
      for (let x = 0; x < width; x++) {
        const x0 = x * sx;
        const x1 = x0 + sx;
        let acc = 0;
        for (let xx = Math.floor(x0); xx < Math.min(src.width, Math.ceil(x1)); xx++)
          acc += src.data[row + xx]! * (Math.min(x1, xx + 1) - Math.max(x0, xx));
        rowAcc[x]! += acc * wy;
      }
    }
    for (let x = 0; x < width; x++) out[y * width + x] = Math.round(rowAcc[x]! / (sx * sy));
  }
  return { width, height, data: out };
}
