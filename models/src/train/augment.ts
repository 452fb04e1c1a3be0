/** Random geometric augmentation of the paper (Keras ImageDataGenerator settings of face_classification). */
export interface AugmentOptions {
  /** Maximum rotation, degrees. */
  rotation: number;
  /** Maximum shift, fraction of the side. */
  shift: number;
  /** Maximum shear angle, degrees. */
  shear: number;
  /** Maximum zoom deviation: the scale is drawn from [1 - zoom, 1 + zoom]. */
  zoom: number;
  horizontalFlip: boolean;
}

export const PAPER_AUGMENTATION: AugmentOptions = {
  rotation: 10,
  shift: 0.1,
  shear: 0.1 * (180 / Math.PI),
  zoom: 0.1,
  horizontalFlip: true,
};

/**
 * Warps one square single-channel image (any value range) by a random rotation, shift, shear and
 * zoom about its centre, optionally mirrored; pixels from outside are taken from the nearest edge,
 * as Keras' default fill mode does. Sampling is bilinear.
 */
export function augmentImage(
  src: Float32Array,
  size: number,
  opts: AugmentOptions,
  random: () => number,
  out = new Float32Array(size * size),
): Float32Array {
  const uniform = (m: number): number => (random() * 2 - 1) * m;
  const deg = Math.PI / 180;
  const theta = uniform(opts.rotation) * deg;
  const shear = uniform(opts.shear) * deg;
  const zx = 1 + uniform(opts.zoom);
  const zy = 1 + uniform(opts.zoom);
  const tx = uniform(opts.shift) * size;
  const ty = uniform(opts.shift) * size;
  const flip = opts.horizontalFlip && random() < 0.5;
  // Output pixel -> source pixel: inverse-free forward form as Keras builds it (rotation · shear · zoom).
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const a = cos * zx;
  const b = (-sin * Math.cos(shear) + cos * Math.sin(shear)) * zy;
  const c = sin * zx;
  const d = (cos * Math.cos(shear) + sin * Math.sin(shear)) * zy;
  const centre = (size - 1) / 2;
  const clamp = (v: number): number => (v < 0 ? 0 : v > size - 1 ? size - 1 : v);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const ox = (flip ? size - 1 - x : x) - centre;
      const oy = y - centre;
      const sx = clamp(a * ox + b * oy + centre + tx);
      const sy = clamp(c * ox + d * oy + centre + ty);
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(x0 + 1, size - 1);
      const y1 = Math.min(y0 + 1, size - 1);
      const wx = sx - x0;
      const wy = sy - y0;
      const top = (src[y0 * size + x0] ?? 0) * (1 - wx) + (src[y0 * size + x1] ?? 0) * wx;
      const bottom = (src[y1 * size + x0] ?? 0) * (1 - wx) + (src[y1 * size + x1] ?? 0) * wx;
      out[y * size + x] = top * (1 - wy) + bottom * wy;
    }
  }
  return out;
}
