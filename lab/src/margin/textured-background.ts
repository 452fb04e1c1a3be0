import type { GrayImage } from '@lectern/vision';

/**
 * A deterministic lecture-hall-like backdrop: soft gradients plus seeded noise, so nothing outside the face
 * is a flat colour the classifier could learn to exploit, and every run renders the same pixels.
 */
export function texturedBackground(width: number, height: number, seed: number): GrayImage {
  const data = new Uint8Array(width * height);
  let s = (seed * 2654435761) >>> 0 || 1;
  const rand = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const base = 70 + rand() * 80;
  const fx = 0.02 + rand() * 0.05;
  const fy = 0.02 + rand() * 0.05;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = base + 25 * Math.sin(x * fx) * Math.cos(y * fy) + (rand() - 0.5) * 30;
      data[y * width + x] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return { width, height, data };
}
