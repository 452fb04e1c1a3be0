import type { Box } from '../image/gray-image';

/**
 * The smallest face (detector box's longer side, in pixels of the frame the classifier crops from) that the
 * agent classifies. It comes from the emotion model's accuracy-by-face-size curve (models/README.md,
 * "Accuracy by face size"): at 16 px lectern-emotion@0.1.0 reads 31.8 % of FER2013 PublicTest faces right
 * (majority class 24.9 %), at 12 px 27.1 %, i.e. chance; below 16 px a face only adds noise to the room.
 * A YuNet box's height is about the FER face side (face-framing.ts), so the curve's "face px" and this
 * threshold measure the same thing. To be revisited when a model trained for small faces is measured.
 */
export const DEFAULT_MIN_READABLE_PX = 16;

/** A face's size as the readable-size gate and the face-size histogram measure it: the box's longer side. */
export function faceSizePx(box: Pick<Box, 'width' | 'height'>): number {
  return Math.max(box.width, box.height);
}

/** Whether a face is large enough for the emotion model to read. */
export function isReadable(box: Pick<Box, 'width' | 'height'>, minReadablePx: number): boolean {
  return faceSizePx(box) >= minReadablePx;
}
