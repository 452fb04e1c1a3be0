import type { Box } from '../image/gray-image';

/**
 * Where YuNet (yunet_n_dynamic) puts its box and landmarks on a FER2013 face, in units of the FER image
 * (0..1, continuous coordinates: x = 0 is the FER image's left edge, 1 its right edge).
 *
 * The emotion CNN was trained on FER2013's framing; a Haar box already matches it (side 0.97 x FER side,
 * docs/metrics.md), a YuNet box does not: it is a tall rectangle (w/h 0.77) around brows to chin. These
 * numbers turn a YuNet detection back into FER's framing.
 *
 * Measured on the first 8,000 Training rows of /work/shared/data/fer2013/train.csv.gz (never PublicTest):
 * each 48x48 face upscaled bilinearly to 112 px, placed with a random +-8 px offset in a 224 px cell of a
 * 4x4 grid, once on mid-gray (128) and once on an edge-replicated background (16,000 placements), YuNet at
 * scale 1. Medians over the 14,732 placements it found at score >= 0.6 (92 %). Per-face spread is wide
 * (interquartile range of the FER side / box height ratio 0.93..1.09) because FER's own crops vary, so
 * the medians are only the typical framing. Faces placed at 24-48 px give a box height of 0.95 FER side
 * (5 % smaller), eye midpoint y 0.392 and eye distance 0.351: the same within the +-0.05 margin over which
 * the classifier's accuracy is flat.
 */
export const YUNET_ON_FER = {
  /** Median box centre and size. */
  box: { cx: 0.503, cy: 0.519, w: 0.769, h: 1.007 },
  /** Median of FER side / box height, per face (the box height is the measure used to frame). */
  sidePerBoxHeight: 0.993,
  /** Median of (FER centre - box centre) / box height, per face; x measured -0.003, taken as 0 (symmetry). */
  centreOffset: { x: 0, y: -0.019 },
} as const;

/**
 * Median FER2013 landmark positions (YuNet order: right eye = on the image's left, left eye, nose tip,
 * right mouth corner, left mouth corner), same measurement as YUNET_ON_FER.
 */
export const FER_LANDMARKS: readonly { x: number; y: number }[] = [
  { x: 0.322, y: 0.389 },
  { x: 0.682, y: 0.386 },
  { x: 0.498, y: 0.588 },
  { x: 0.346, y: 0.745 },
  { x: 0.654, y: 0.742 },
];

/**
 * The alignment target: eye midpoint and eye distance (fractions of the FER side). Median eye midpoint x
 * is 0.502, taken as 0.5; the median eye line is level within 0.5 degrees, so the template eyes sit at
 * (0.5 -+ FER_EYE_DISTANCE / 2, FER_EYE_MID.y).
 */
export const FER_EYE_MID = { x: 0.5, y: 0.388 } as const;
export const FER_EYE_DISTANCE = 0.356;

/**
 * The square FER-like crop for a YuNet box. Framed from the box height, not its width or area: heads
 * turned sideways (common in a hall) narrow YuNet's box a lot but barely change its height, and on FER
 * faces the height-based ratio spreads no more than the alternatives (interquartile range / median 0.16
 * for height, width and sqrt(area) alike).
 */
export function ferFrameFromBox(box: Box): Box {
  const side = box.height * YUNET_ON_FER.sidePerBoxHeight;
  const cx = box.x + box.width / 2 + YUNET_ON_FER.centreOffset.x * box.height;
  const cy = box.y + box.height / 2 + YUNET_ON_FER.centreOffset.y * box.height;
  return { x: cx - side / 2, y: cy - side / 2, width: side, height: side };
}
