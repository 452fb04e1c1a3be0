import type { GrayImage } from '@lectern/vision';
import { simulateFacePx } from '../eval/face-size';
import { seededRandom } from '../seeded-random';

/**
 * The face sizes a resolution-robust model is calibrated on: like its training (models/python/
 * finetune_resolution.py), 3 of 4 calibration faces are reduced to a random 12-47 px and reach the network
 * the way the agent prepares a crop of that size, the rest stay at 48 px. Activation ranges then cover the
 * inputs the agent really feeds it (sharpened small crops), not only 48 px faces. Chosen on FER2013 Training
 * rows 10,000-15,999 (top-1 agreement of int8 with fp32, lectern-emotion 0.2.0): 95.80 / 97.25 / 97.93 % at
 * 16 / 24 / 48 px against 95.43 / 96.87 / 97.85 % for 48 px calibration faces (models/README.md).
 */
export const CALIBRATION_SIZE_MIX = { reducedShare: 0.75, minPx: 12, maxPx: 47, seed: 7 } as const;

/** The calibration faces as the agent would see them at mixed sizes (seeded: the same on every build). */
export function mixFaceSizes(faces: readonly GrayImage[], mix = CALIBRATION_SIZE_MIX): GrayImage[] {
  const random = seededRandom(mix.seed);
  return faces.map((face) =>
    random() < mix.reducedShare
      ? simulateFacePx(face, mix.minPx + Math.floor(random() * (mix.maxPx - mix.minPx + 1)))
      : face,
  );
}
