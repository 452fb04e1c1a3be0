import { existsSync } from 'node:fs';
import { EmotionClassifier } from '../classifier/classifier';
import { artifactPath } from '../model-files';
import { createFaceDetector, SYSTEM_CASCADE } from '../detect/create-detector';
import type { DetectorKind, FaceDetector, HaarBackendKind } from '../detect/face-detector';
import type { EmotionModel } from './emotion-model';

export interface PipelinePartsOptions {
  /** The detector plugin (default yunet). */
  detector?: DetectorKind;
  /** Haar only: which OpenCV build (default: native when built, else WASM). */
  haarBackend?: HaarBackendKind | 'auto';
  cascadePath?: string;
  /** YuNet only: an ONNX file other than the shipped one. */
  yunetModelPath?: string;
  /** An ONNX model file (e.g. one installed by OTA); default: the committed int8 artifact. */
  modelPath?: string;
  variant?: 'int8' | 'fp32';
  threads?: number;
  /** Skip loading the classifier (emotion inference switched off by policy). */
  withoutModel?: boolean;
}

/** The committed cascade from models/, or the system one while models/ has none. */
export function defaultCascadePath(): string {
  const committed = artifactPath('cascade');
  return existsSync(committed) ? committed : SYSTEM_CASCADE;
}

export async function createDetector(opts: PipelinePartsOptions = {}): Promise<FaceDetector> {
  return createFaceDetector({
    kind: opts.detector,
    haarBackend: opts.haarBackend,
    cascadePath: opts.cascadePath ?? defaultCascadePath(),
    yunetModelPath: opts.yunetModelPath,
    threads: opts.threads,
  });
}

export async function createEmotionModel(opts: PipelinePartsOptions = {}): Promise<EmotionModel> {
  return EmotionClassifier.create({
    variant: opts.variant ?? 'int8',
    modelPath: opts.modelPath,
    threads: opts.threads ?? 1,
  });
}
