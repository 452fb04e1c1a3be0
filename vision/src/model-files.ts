import { join, resolve } from 'node:path';

/** The package root, the same from src/ (tests, tsx) and dist/ (runtime): both sit one level down. */
export const VISION_ROOT = resolve(__dirname, '..');

/**
 * The model files the pipeline loads. `lectern-models build` (a dev-time tool) writes the emotion models and
 * their manifest here; the detectors' files are committed with their licences beside them.
 */
export const ARTIFACTS_DIR = join(VISION_ROOT, 'models');

export const ARTIFACT_FILES = {
  fp32: 'emotion-fp32.onnx',
  int8: 'emotion-int8.onnx',
  /** The previous release's int8 model, kept for rollback (manifest `previous` says which release). */
  previousInt8: 'emotion-int8-previous.onnx',
  cascade: 'haarcascade_frontalface_default.xml',
  manifest: 'manifest.json',
} as const;

export type ArtifactName = keyof typeof ARTIFACT_FILES;

/** Absolute path of a model file inside vision/models. */
export function artifactPath(name: ArtifactName): string {
  return join(ARTIFACTS_DIR, ARTIFACT_FILES[name]);
}
