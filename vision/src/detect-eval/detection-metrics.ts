import { iou, type Box } from '../image/gray-image';

/** Face-size bands (px, geometric mean of the labelled box's sides): lecture-hall listeners are mostly 15-40 px. */
export const SIZE_BANDS = [
  { name: '<16', min: 0, max: 16 },
  { name: '16-32', min: 16, max: 32 },
  { name: '32-64', min: 32, max: 64 },
  { name: '>=64', min: 64, max: Infinity },
] as const;

export type BandName = (typeof SIZE_BANDS)[number]['name'];

export function faceSide(b: Box): number {
  return Math.sqrt(b.width * b.height);
}

export function bandOf(b: Box): BandName {
  const s = faceSide(b);
  return SIZE_BANDS.find((band) => s >= band.min && s < band.max)!.name;
}

export interface ScoredBox extends Box {
  score: number;
}

export interface ImageMatch {
  /** Per labelled face: matched or not. */
  matched: boolean[];
  /** Per detection (in the order given): index of the face it matched, or -1 (a false positive). */
  detectionToFace: number[];
}

/**
 * Greedy matching as in PASCAL VOC / WIDER FACE: detections by falling score each take the unmatched labelled face
 * they overlap most, if that overlap reaches `minIou`.
 */
export function matchImage(faces: readonly Box[], detections: readonly ScoredBox[], minIou: number): ImageMatch {
  const matched = faces.map(() => false);
  const detectionToFace = detections.map(() => -1);
  const order = detections.map((_, i) => i).sort((a, b) => detections[b]!.score - detections[a]!.score);
  for (const d of order) {
    let best = -1;
    let bestIou = minIou;
    faces.forEach((f, i) => {
      if (matched[i]) return;
      const o = iou(f, detections[d]!);
      if (o >= bestIou) {
        bestIou = o;
        best = i;
      }
    });
    if (best >= 0) {
      matched[best] = true;
      detectionToFace[d] = best;
    }
  }
  return { matched, detectionToFace };
}

/**
 * Average precision over every detection of every image ranked by score: the area under the precision/recall
 * curve with precision made monotone (VOC 2010+ "all points"). Detectors without scores (Haar) rank all equal,
 * so their AP is their single operating point: recall x precision.
 */
export function averagePrecision(ranked: readonly { score: number; truePositive: boolean }[], faces: number): number {
  if (faces === 0) return 0;
  const sorted = [...ranked].sort((a, b) => b.score - a.score);
  const precision: number[] = [];
  const recall: number[] = [];
  let tp = 0;
  sorted.forEach((d, i) => {
    if (d.truePositive) tp++;
    precision.push(tp / (i + 1));
    recall.push(tp / faces);
  });
  for (let i = precision.length - 2; i >= 0; i--) precision[i] = Math.max(precision[i]!, precision[i + 1]!);
  let ap = 0;
  let prevRecall = 0;
  recall.forEach((r, i) => {
    ap += (r - prevRecall) * precision[i]!;
    prevRecall = r;
  });
  return ap;
}
