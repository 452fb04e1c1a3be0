import { CANDIDATE_STRIDE } from './decode';

function overlap(d: Float32Array, a: number, b: number): number {
  const ax = d[a]!;
  const ay = d[a + 1]!;
  const aw = d[a + 2]!;
  const ah = d[a + 3]!;
  const bx = d[b]!;
  const by = d[b + 1]!;
  const bw = d[b + 2]!;
  const bh = d[b + 3]!;
  const ix = Math.min(ax + aw, bx + bw) - Math.max(ax, bx);
  const iy = Math.min(ay + ah, by + bh) - Math.max(ay, by);
  if (ix <= 0 || iy <= 0) return 0;
  const inter = ix * iy;
  return inter / (aw * ah + bw * bh - inter);
}

/**
 * Greedy non-maximum suppression, as OpenCV's NMSBoxes (which FaceDetectorYN calls): candidates are taken
 * by descending score, at most `topK` of them are considered at all (bounds the O(n^2) pass when a low
 * threshold lets thousands of cells through), and a candidate is dropped when its IoU with an already kept
 * box exceeds `iouThreshold`. YuNet predicts one face from several neighbouring cells and strides, so
 * without this every face comes back 2-6 times. Unlike OpenCV, IoU uses the float boxes, not boxes
 * truncated to integers, which only matters for faces a few pixels wide.
 *
 * `eligible` lets the caller exclude candidates (e.g. outside the face size range) before they can
 * suppress anything. Returns the kept candidates' offsets into `data`, best first.
 */
export function nms(
  data: Float32Array,
  count: number,
  iouThreshold: number,
  topK: number,
  eligible: (offset: number) => boolean = () => true,
): number[] {
  const order: number[] = [];
  for (let i = 0; i < count; i++) {
    const o = i * CANDIDATE_STRIDE;
    if (eligible(o)) order.push(o);
  }
  order.sort((a, b) => data[b + 14]! - data[a + 14]!);
  if (topK > 0 && order.length > topK) order.length = topK;
  const kept: number[] = [];
  for (const o of order) {
    let keep = true;
    for (const k of kept) {
      if (overlap(data, o, k) > iouThreshold) {
        keep = false;
        break;
      }
    }
    if (keep) kept.push(o);
  }
  return kept;
}
