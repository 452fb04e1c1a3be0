import { EMOTION_COUNT, EMOTIONS, VALENCE_WEIGHTS, type Emotion } from './emotions';
import type { Aggregate } from './snapshot';

/** Valence of one probability vector: sum of p_c * w_c, clamped to [-1, 1]. */
export function valenceOf(p: readonly number[]): number {
  let v = 0;
  for (let i = 0; i < EMOTION_COUNT; i++) v += (p[i] ?? 0) * VALENCE_WEIGHTS[EMOTIONS[i]!];
  return Math.max(-1, Math.min(1, v));
}

export function dominantOf(p: readonly number[]): Emotion | null {
  let best = -1;
  let bestP = 0;
  for (let i = 0; i < EMOTION_COUNT; i++) {
    if ((p[i] ?? 0) > bestP) {
      bestP = p[i]!;
      best = i;
    }
  }
  return best < 0 ? null : EMOTIONS[best]!;
}

/**
 * Room aggregate from per-face probability vectors (docs/metrics.md): the distribution is the mean vector,
 * valence its weighted sum, attention the share of faces seen frontally. Used by the device for one
 * camera and by the cloud for a room with several cameras (weighted by faces).
 */
export function aggregateFaces(faces: readonly { p: readonly number[]; frontal: boolean }[]): Aggregate {
  const distribution = new Array<number>(EMOTION_COUNT).fill(0);
  if (faces.length === 0) return { distribution, dominant: null, valence: 0, attention: 0 };
  let frontal = 0;
  for (const f of faces) {
    for (let i = 0; i < EMOTION_COUNT; i++) distribution[i]! += f.p[i] ?? 0;
    if (f.frontal) frontal++;
  }
  for (let i = 0; i < EMOTION_COUNT; i++) distribution[i] = distribution[i]! / faces.length;
  return {
    distribution,
    dominant: dominantOf(distribution),
    valence: valenceOf(distribution),
    attention: frontal / faces.length,
  };
}

/** Merges per-device aggregates of one room, weighting each by its face count. */
export function mergeAggregates(
  parts: readonly { faces: number; aggregate: Aggregate }[],
): Aggregate & { faces: number } {
  const total = parts.reduce((n, p) => n + p.faces, 0);
  const distribution = new Array<number>(EMOTION_COUNT).fill(0);
  if (total === 0) return { distribution, dominant: null, valence: 0, attention: 0, faces: 0 };
  let attention = 0;
  for (const part of parts) {
    const w = part.faces / total;
    for (let i = 0; i < EMOTION_COUNT; i++) distribution[i]! += w * (part.aggregate.distribution[i] ?? 0);
    attention += w * part.aggregate.attention;
  }
  return {
    distribution,
    dominant: dominantOf(distribution),
    valence: valenceOf(distribution),
    attention,
    faces: total,
  };
}
