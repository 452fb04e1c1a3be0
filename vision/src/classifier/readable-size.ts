import type { Box } from '../image/gray-image';

/**
 * A face is readable from the size at which the emotion model gets READABLE_SHARE of its full-size (48 px)
 * accuracy: below it, a face's reading is closer to a guess than to what the model can do, and it would
 * only pull the room towards noise.
 */
export const READABLE_SHARE = 2 / 3;

/**
 * The readable size a model's accuracy-by-face-size curve implies (`accuracyByFacePx`, as `lectern-models
 * build` measures it on FER2013 PublicTest: face px -> accuracy): where the curve, linear between measured
 * sizes, crosses READABLE_SHARE of the accuracy at the largest size, rounded up to whole pixels.
 */
export function readableFromPx(accuracyByFacePx: Readonly<Record<string, number>>): number {
  const points = Object.entries(accuracyByFacePx)
    .map(([px, acc]) => [Number(px), acc] as const)
    .sort((a, b) => a[0] - b[0]);
  const full = points.at(-1);
  if (!full || points.length < 2) throw new Error('readableFromPx: need accuracy at two face sizes at least');
  const bar = READABLE_SHARE * full[1];
  if (points[0]![1] >= bar) return points[0]![0];
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1]!;
    const [x1, y1] = points[i]!;
    if (y1 >= bar) return Math.ceil(x0 + ((bar - y0) / (y1 - y0)) * (x1 - x0));
  }
  return full[0];
}

/**
 * The smallest face (detector box's longer side, in pixels of the frame the classifier crops from) that the
 * agent classifies by default: readableFromPx of the bundled model's curve (manifest.json `accuracyByFacePx`,
 * models/README.md "Accuracy by face size"; a test keeps the two equal). A YuNet box's height is about the
 * FER face side (face-framing.ts), so the curve's "face px" and this threshold measure the same thing.
 */
export const DEFAULT_MIN_READABLE_PX = 14;

/** A face's size as the readable-size gate and the face-size histogram measure it: the box's longer side. */
export function faceSizePx(box: Pick<Box, 'width' | 'height'>): number {
  return Math.max(box.width, box.height);
}

/** Whether a face is large enough for the emotion model to read. */
export function isReadable(box: Pick<Box, 'width' | 'height'>, minReadablePx: number): boolean {
  return faceSizePx(box) >= minReadablePx;
}
