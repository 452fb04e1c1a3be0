import { iou, type Box } from '@lectern/vision';

/**
 * A detection counts for a true face when they overlap by at least this IoU. Haar boxes sit a little inside
 * the tight FER framing (IoU ~0.6-0.8 on a hit), while a neighbour or a background hit stays near 0.
 */
export const MATCH_MIN_IOU = 0.3;

/**
 * Greedy one-to-one matching, best overlaps first. Returns for every true face the index of its detection
 * or -1 when it was missed.
 */
export function matchDetections(truth: readonly Box[], detections: readonly Box[], minIou = MATCH_MIN_IOU): number[] {
  const pairs: { t: number; d: number; overlap: number }[] = [];
  truth.forEach((tb, t) =>
    detections.forEach((db, d) => {
      const overlap = iou(tb, db);
      if (overlap >= minIou) pairs.push({ t, d, overlap });
    }),
  );
  pairs.sort((a, b) => b.overlap - a.overlap);
  const result = truth.map(() => -1);
  const usedDetections = new Set<number>();
  for (const { t, d } of pairs) {
    if (result[t] !== -1 || usedDetections.has(d)) continue;
    result[t] = d;
    usedDetections.add(d);
  }
  return result;
}
