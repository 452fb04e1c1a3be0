import { resizeBilinear, type GrayImage } from '@lectern/vision';

/** Side of the network input; crops of other sizes are resized to it bilinearly by the classifier. */
const NET_SIZE = 64;

/**
 * `upscale` and `sharpen` apply only to crops smaller than this (FER2013's 48 px): a 48 px FER face is the
 * training image itself, the one place where sharpening can only hurt (unsharp 1.0 costs 7 points on
 * Training rows at 48 px while it gains 3-9 points at 16-46 px), and the agent knows each crop's size.
 */
export const ENHANCE_BELOW_PX = 48;

/** Per-axis resampling taps: for output index i, source indices and weights (weights sum to 1). */
interface Taps {
  index: Int32Array[];
  weight: Float64Array[];
}

/**
 * Box-filter taps: output pixel i covers [start + i*step, start + (i+1)*step) of the source axis and gets
 * the mean of the source pixels under it, each weighted by the length it overlaps. Source pixels outside
 * 0..n-1 are edge-replicated (clamped index).
 */
function areaTaps(n: number, start: number, span: number, out: number): Taps {
  const step = span / out;
  const index: Int32Array[] = [];
  const weight: Float64Array[] = [];
  for (let i = 0; i < out; i++) {
    const a = start + i * step;
    const b = a + step;
    const idx: number[] = [];
    const w: number[] = [];
    for (let p = Math.floor(a); p < b; p++) {
      const overlap = Math.min(b, p + 1) - Math.max(a, p);
      if (overlap <= 1e-9) continue;
      idx.push(Math.min(n - 1, Math.max(0, p)));
      w.push(overlap / step);
    }
    index.push(Int32Array.from(idx));
    weight.push(Float64Array.from(w));
  }
  return { index, weight };
}

/** Cubic convolution kernel with a = -0.75 (OpenCV INTER_CUBIC). */
function cubic(t: number): number {
  const A = -0.75;
  const x = Math.abs(t);
  if (x <= 1) return ((A + 2) * x - (A + 3)) * x * x + 1;
  if (x < 2) return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  return 0;
}

/** Bicubic taps with pixel-centre alignment and clamped (replicated) edges, as OpenCV INTER_CUBIC. */
function cubicTaps(n: number, out: number): Taps {
  const scale = n / out;
  const index: Int32Array[] = [];
  const weight: Float64Array[] = [];
  for (let i = 0; i < out; i++) {
    const f = (i + 0.5) * scale - 0.5;
    const p0 = Math.floor(f);
    const t = f - p0;
    const idx = new Int32Array(4);
    const w = new Float64Array(4);
    for (let k = 0; k < 4; k++) {
      idx[k] = Math.min(n - 1, Math.max(0, p0 - 1 + k));
      w[k] = cubic(t - (k - 1));
    }
    index.push(idx);
    weight.push(w);
  }
  return { index, weight };
}

/** Applies separable taps (rows then columns), rounding and clamping to 8 bits once at the end. */
function separable(src: GrayImage, xt: Taps, yt: Taps): GrayImage {
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

/** Square source window in source pixel coordinates (may reach outside the image: edges are replicated). */
export interface SourceBox {
  x: number;
  y: number;
  side: number;
}

/**
 * Area (box-filter) resampling of `box` of `src` to `size` x `size`: every output pixel is the mean of the
 * source area it covers, partial pixels weighted by their overlap (OpenCV INTER_AREA for a whole image and a
 * downscale).
 *
 * This is how a small face is simulated from a 48x48 FER face: a camera sensor pixel integrates the light
 * falling on its whole area, so a face that covers N x N sensor pixels is (optics and noise aside) the
 * area average of a sharper image, not a point sample of it. Point sampling (nearest, or bilinear, which
 * at a 2-4x reduction reads only the 4 pixels around each sample centre) would alias fine texture into
 * the small face and make it look sharper and noisier than a real one.
 */
export function areaResample(src: GrayImage, box: SourceBox, size: number): GrayImage {
  if (!Number.isInteger(size) || size <= 0) throw new Error(`areaResample: invalid size ${size}`);
  if (box.x === 0 && box.y === 0 && box.side === src.width && src.width === src.height && size === src.width) {
    return { width: size, height: size, data: src.data.slice() };
  }
  return separable(src, areaTaps(src.width, box.x, box.side, size), areaTaps(src.height, box.y, box.side, size));
}

/** Bicubic resize (a = -0.75, pixel-centre aligned, replicated edges, rounded to 8 bits). */
export function resizeBicubic(src: GrayImage, width: number, height: number): GrayImage {
  if (src.width === width && src.height === height) return { width, height, data: src.data.slice() };
  return separable(src, cubicTaps(src.width, width), cubicTaps(src.height, height));
}

/** Area resize of a whole image (OpenCV INTER_AREA; an upscale repeats pixels, blending at their borders). */
export function resizeArea(src: GrayImage, width: number, height: number): GrayImage {
  if (src.width === width && src.height === height) return { width, height, data: src.data.slice() };
  return separable(src, areaTaps(src.width, 0, src.width, width), areaTaps(src.height, 0, src.height, height));
}

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

export const UPSCALES = ['bilinear', 'bicubic', 'area'] as const;
export type Upscale = (typeof UPSCALES)[number];

export interface FaceSizeOptions {
  /**
   * How a crop smaller than ENHANCE_BELOW_PX reaches the 64x64 network input. `bilinear` (default) hands
   * the crop to the classifier, which resizes it bilinearly exactly as the agent does; `bicubic` (OpenCV
   * INTER_CUBIC) and `area` (INTER_AREA) resize to 64x64 here.
   */
  upscale?: Upscale;
  /** Unsharp-mask amount applied to the 64x64 input of crops smaller than ENHANCE_BELOW_PX (0 = off). */
  sharpen?: number;
  /** Gaussian sigma of the unsharp mask, in 64x64-input pixels. */
  sharpenSigma?: number;
  /**
   * Crop framing relative to FER's: the crop side is the face side times (1 + 2 * margin), centred
   * (negative = tighter). FER faces carry no surroundings, so a positive margin replicates edge pixels.
   */
  margin?: number;
}

/**
 * A 48x48 FER face as the agent would see it when the face spans `facePx` camera pixels: the face is
 * area-reduced to `facePx` (see areaResample), cropped with the agent's framing (a square of
 * round(facePx * (1 + 2 * margin)) pixels), then prepared for the classifier. With the default options the
 * result is the facePx x facePx crop itself, which EmotionClassifier resizes to 64x64 bilinearly, so
 * `facePx = 48` reproduces the plain evaluation exactly.
 */
export function simulateFacePx(face: GrayImage, facePx: number, opts: FaceSizeOptions = {}): GrayImage {
  if (face.width !== face.height)
    throw new Error(`simulateFacePx: expected a square face, got ${face.width}x${face.height}`);
  if (!Number.isInteger(facePx) || facePx < 2) throw new Error(`face size must be an integer >= 2, got ${facePx}`);
  const margin = opts.margin ?? 0;
  const cropPx = Math.max(2, Math.round(facePx * (1 + 2 * margin)));
  // The crop covers cropPx camera pixels of facePx / face.width camera pixels per FER pixel.
  const side = (cropPx * face.width) / facePx;
  const start = (face.width - side) / 2;
  let img = areaResample(face, { x: start, y: start, side }, cropPx);
  const upscale = opts.upscale ?? 'bilinear';
  const sharpen = opts.sharpen ?? 0;
  if ((upscale === 'bilinear' && sharpen === 0) || cropPx >= ENHANCE_BELOW_PX) return img;
  if (upscale === 'bicubic') img = resizeBicubic(img, NET_SIZE, NET_SIZE);
  else if (upscale === 'area') img = resizeArea(img, NET_SIZE, NET_SIZE);
  else img = resizeBilinear(img, NET_SIZE, NET_SIZE);
  return sharpen === 0 ? img : unsharpMask(img, sharpen, opts.sharpenSigma ?? 1);
}
