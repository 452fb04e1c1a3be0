import { describe, expect, it } from 'vitest';
import { MODEL_INPUT_SIZE, SMALL_FACE_SHARPEN, toModelInput, unsharpMask, type GrayImage } from '../src';

/** A face-like test pattern: a bright oval with two dark eyes on a mid-grey ground. */
function pattern(side: number): GrayImage {
  const data = new Uint8Array(side * side);
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) {
      const u = (x + 0.5) / side - 0.5;
      const v = (y + 0.5) / side - 0.5;
      const eye = Math.hypot(Math.abs(u) - 0.17, v + 0.1) < 0.07;
      data[y * side + x] = eye ? 30 : u * u + v * v * 0.7 < 0.16 ? 190 : 110;
    }
  return { width: side, height: side, data };
}

describe('small-face sharpening in the classifier input', () => {
  it('sharpens crops under 48 px and leaves 48 px FER faces exactly as before', () => {
    const small = pattern(24);
    const fer = pattern(48);
    const plane = MODEL_INPUT_SIZE * MODEL_INPUT_SIZE;
    const sharp = toModelInput([small]);
    const plain = toModelInput([small], undefined, 0);
    expect(sharp.length).toBe(plane);
    // Sharpening adds contrast at edges: the input's spread grows, its mean barely moves.
    const spread = (a: Float32Array): number => Math.max(...a) - Math.min(...a);
    const mean = (a: Float32Array): number => a.reduce((s, v) => s + v, 0) / a.length;
    expect(spread(sharp)).toBeGreaterThan(spread(plain));
    expect(Math.abs(mean(sharp) - mean(plain))).toBeLessThan(0.02);
    expect(Array.from(toModelInput([fer]))).toEqual(Array.from(toModelInput([fer], undefined, 0)));
    expect(SMALL_FACE_SHARPEN.belowPx).toBe(48);
  });

  it('unsharpMask is the identity at amount 0 and keeps a flat image flat', () => {
    const img = pattern(32);
    expect(unsharpMask(img, 0).data).toEqual(img.data);
    const flat = { width: 8, height: 8, data: new Uint8Array(64).fill(77) };
    expect(Array.from(unsharpMask(flat, 1).data)).toEqual(Array.from(flat.data));
  });
});
