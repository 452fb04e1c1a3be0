import type { GrayImage } from './gray-image';

/** Per-axis resampling taps: for output index i, source indices and weights (weights sum to 1). */
export interface Taps {
  index: Int32Array[];
  weight: Float64Array[];
}

/** Applies separable taps (rows then columns), rounding and clamping to 8 bits once at the end. */
export function separable(src: GrayImage, xt: Taps, yt: Taps): GrayImage {
  const w = xt.index.length;
  const h = yt.index.length;
  const tmp = new Float64Array(src.height * w);
  for (let y = 0; y < src.height; y++) {
    const row = y * src.width;
    for (let x = 0; x < w; x++) {
      const idx = xt.index[x] ?? new Int32Array();
      const wt = xt.weight[x] ?? new Float64Array();
      let s = 0;
      for (let k = 0; k < idx.length; k++) s += (src.data[row + (idx[k] ?? 0)] ?? 0) * (wt[k] ?? 0);
      tmp[y * w + x] = s;
    }
  }
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const idx = yt.index[y] ?? new Int32Array();
    const wt = yt.weight[y] ?? new Float64Array();
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let k = 0; k < idx.length; k++) s += (tmp[(idx[k] ?? 0) * w + x] ?? 0) * (wt[k] ?? 0);
      out[y * w + x] = Math.min(255, Math.max(0, Math.round(s)));
    }
  }
  return { width: w, height: h, data: out };
}
