import type { GrayImage } from './gray-image';
import { separable, type Taps } from './separable';

/** Normalised 1-D Gaussian taps for a blur with replicated edges. */
function gaussianTaps(n: number, sigma: number): Taps {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = k.reduce((a, b) => a + b, 0);
  const index: Int32Array[] = [];
  const weight: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    index.push(Int32Array.from(k, (_, j) => Math.min(n - 1, Math.max(0, i - r + j))));
    weight.push(Float64Array.from(k, (v) => v / sum));
  }
  return { index, weight };
}

/** Unsharp mask: `img + amount * (img - gaussian(img, sigma))`, rounded and clamped to 8 bits. */
export function unsharpMask(src: GrayImage, amount: number, sigma = 1): GrayImage {
  if (amount === 0) return { width: src.width, height: src.height, data: src.data.slice() };
  const blur = separable(src, gaussianTaps(src.width, sigma), gaussianTaps(src.height, sigma));
  const out = new Uint8Array(src.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = src.data[i] ?? 0;
    out[i] = Math.min(255, Math.max(0, Math.round(v + amount * (v - (blur.data[i] ?? 0)))));
  }
  return { width: src.width, height: src.height, data: out };
}
