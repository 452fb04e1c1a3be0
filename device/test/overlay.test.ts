import { describe, expect, it } from 'vitest';
import type { GrayImage } from '@lectern/vision';
import { drawOverlay } from '../src/preview/overlay';

const blank = (width: number, height: number): GrayImage => ({ width, height, data: new Uint8Array(width * height) });
const row = (img: GrayImage, y: number, x0: number, x1: number) =>
  Array.from(img.data.subarray(y * img.width + x0, y * img.width + x1));

describe('preview overlay', () => {
  it('draws read faces solid white and faces too small to read dashed gray, each with its size', () => {
    const frame = blank(400, 200);
    const out = drawOverlay(
      frame,
      [
        { box: { x: 40, y: 100, width: 40, height: 48 }, trackId: 1, sizePx: 48, readable: true, p: null },
        { box: { x: 200, y: 100, width: 12, height: 15.6 }, trackId: 2, sizePx: 15.6, readable: false, p: null },
      ],
      'footer',
    );
    // Bottom edge of each box (the labels sit above the boxes).
    const solid = row(out, 100 + 47, 40, 80);
    expect(solid.every((v) => v === 255)).toBe(true);
    const dashed = row(out, 100 + 14, 200, 212);
    expect(dashed).toContain(150);
    expect(dashed).toContain(0);
    expect(dashed).not.toContain(255);
    // The small face's label is drawn in its gray; the read one's in white.
    const labelRows = (x0: number, x1: number) =>
      [...Array(10).keys()].flatMap((dy) => row(out, 100 - 10 + dy, x0, x1));
    expect(labelRows(200, 260)).toContain(150);
    expect(labelRows(200, 260)).not.toContain(255);
    expect(labelRows(40, 100)).toContain(255);
    expect(frame.data.every((v) => v === 0)).toBe(true);
  });
});
