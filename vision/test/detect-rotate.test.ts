import { describe, expect, it } from 'vitest';
import { equalizeGray } from '../src/detect/haar/equalize-gray';
import { boxToSource, rotateGray } from '../src/detect/haar/rotate-gray';

const img = { width: 3, height: 2, data: Uint8Array.from([1, 2, 3, 4, 5, 6]) };

describe('rotateGray', () => {
  it('keeps the frame at 0 degrees and turns it counter-clockwise by 90 without losing a pixel', () => {
    expect(rotateGray(img, 0).image).toEqual(img);
    const r = rotateGray(img, 90);
    expect(r.image.width).toBe(2);
    expect(r.image.height).toBe(3);
    // Screen view: the right column (3, 6) becomes the top row.
    expect(Array.from(r.image.data)).toEqual([3, 6, 2, 5, 1, 4]);
  });

  it('grows the canvas to hold the whole turned frame and maps points back to the source', () => {
    const big = { width: 200, height: 100, data: new Uint8Array(200 * 100).fill(9) };
    const r = rotateGray(big, 30);
    const c = Math.cos(Math.PI / 6);
    const s = Math.sin(Math.PI / 6);
    expect(r.image.width).toBe(Math.ceil(200 * c + 100 * s));
    expect(r.image.height).toBe(Math.ceil(200 * s + 100 * c));
    const centre = r.toSource(r.image.width / 2, r.image.height / 2);
    expect(centre.x).toBeCloseTo(100, 6);
    expect(centre.y).toBeCloseTo(50, 6);
    // A box on the rotated canvas comes back as a box of the same side around the mapped centre.
    const back = boxToSource({ x: r.image.width / 2 - 10, y: r.image.height / 2 - 10, width: 20, height: 20 }, r);
    expect(back.x).toBeCloseTo(90, 6);
    expect(back.y).toBeCloseTo(40, 6);
    expect(back.width).toBe(20);
  });
});

describe('equalizeGray', () => {
  it('stretches a narrow histogram over the full range and keeps the order of grey levels', () => {
    const dim = { width: 4, height: 1, data: Uint8Array.from([100, 101, 102, 103]) };
    expect(Array.from(equalizeGray(dim).data)).toEqual([0, 85, 170, 255]);
    const flat = { width: 2, height: 2, data: new Uint8Array(4).fill(77) };
    expect(Array.from(equalizeGray(flat).data)).toEqual([77, 77, 77, 77]);
  });
});
