import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from './paths';

/**
 * An emotion model release `lectern-models build` produces: the network of @vladmandic/human's
 * emotion.json with either its own weights or fine-tuned ones committed under models/weights.
 */
export interface EmotionRelease {
  version: string;
  /** Fine-tuned weights in the graph's own layout (null: the npm package's weights). */
  weights: string | null;
  /** The training run's log (recipe, hold-out accuracy per epoch), next to the weights. */
  trainingLog: string | null;
  /** One line for the manifest and the ONNX doc string. */
  summary: string;
}

export const WEIGHTS_DIR = join(PACKAGE_ROOT, 'weights');

/** The release the agent loads: fine-tuned for faces of 12-48 px (models/python/finetune_resolution.py). */
export const CURRENT_RELEASE: EmotionRelease = {
  version: '0.2.0',
  weights: join(WEIGHTS_DIR, 'lectern-emotion-0.2.0.bin'),
  trainingLog: join(WEIGHTS_DIR, 'lectern-emotion-0.2.0.json'),
  summary: 'big_XCEPTION fine-tuned with resolution augmentation (faces reduced to 12-48 px) and distillation',
};

/** The release kept beside it for rollback: the upstream weights as published. */
export const PREVIOUS_RELEASE: EmotionRelease = {
  version: '0.1.0',
  weights: null,
  trainingLog: null,
  summary: 'big_XCEPTION as published (trained on 48 px FER2013 faces)',
};

export interface TrainingLog {
  args: Record<string, unknown>;
  baseline: Record<string, number>;
  epochs: { epoch: number; loss: number; holdout: Record<string, number>; mean: number; seconds: number }[];
  selected: { epoch: number; mean: number };
}

export function readTrainingLog(release: EmotionRelease): TrainingLog | null {
  if (!release.trainingLog || !existsSync(release.trainingLog)) return null;
  return JSON.parse(readFileSync(release.trainingLog, 'utf8')) as TrainingLog;
}
