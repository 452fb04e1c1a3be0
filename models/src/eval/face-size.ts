import {
  MODEL_INPUT_SIZE,
  resizeArea,
  separable,
  SMALL_FACE_SHARPEN,
  unsharpMask,
  type GrayImage,
  type Taps,
} from '@lectern/vision';

/**
 * `upscale` and `sharpen` apply only to crops smaller than this (FER2013's 48 px): a 48 px FER face is the
 * training image itself, the one place where sharpening can only hurt (unsharp 1.0 costs 7 points on
 * Training rows at 48 px while it gains 3-9 points at 16-46 px), and the agent knows each crop's size.
 */
export const ENHANCE_BELOW_PX = SMALL_FACE_SHARPEN.belowPx;

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

export const UPSCALES = ['bilinear', 'bicubic', 'area'] as const;
export type Upscale = (typeof UPSCALES)[number];

export interface FaceSizeOptions {
  /**
   * How a crop smaller than ENHANCE_BELOW_PX reaches the 64x64 network input. `bilinear` (default) hands
   * the crop to the classifier, which resizes it bilinearly exactly as the agent does; `bicubic` (OpenCV
   * INTER_CUBIC) and `area` (INTER_AREA) resize to 64x64 here.
   */
  upscale?: Upscale;
  /**
   * Unsharp-mask amount for the 64x64 input of crops smaller than ENHANCE_BELOW_PX (0 = off). With `bilinear`
   * the classifier applies it (give the same amount as its smallFaceSharpen); here only for other upscales.
   */
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
  // The agent's own path: the classifier resizes the crop bilinearly and sharpens small ones itself
  // (EmotionClassifier's smallFaceSharpen), so the crop goes to it as it is.
  if (upscale === 'bilinear' || cropPx >= ENHANCE_BELOW_PX) return img;
  img =
    upscale === 'bicubic'
      ? resizeBicubic(img, MODEL_INPUT_SIZE, MODEL_INPUT_SIZE)
      : resizeArea(img, MODEL_INPUT_SIZE, MODEL_INPUT_SIZE);
  const sharpen = opts.sharpen ?? 0;
  return sharpen === 0 ? img : unsharpMask(img, sharpen, opts.sharpenSigma ?? SMALL_FACE_SHARPEN.sigma);
}
