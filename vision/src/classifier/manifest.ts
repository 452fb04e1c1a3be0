import { readFileSync } from 'node:fs';
import { artifactPath } from '../model-files';

export interface ArtifactEntry {
  /** File name inside vision/models. */
  file: string;
  sha256: string;
  bytes: number;
}

export interface ModelVariantEntry extends ArtifactEntry {
  /** FER2013 PublicTest top-1 accuracy in [0, 1], plain and with horizontal-flip TTA. */
  publicTestAccuracy: number;
  publicTestAccuracyTtaFlip: number;
  /** Extra description, e.g. the quantization scheme. */
  notes: string;
}

export interface ModelManifest {
  name: string;
  version: string;
  /** Stable id "<name>@<version>" reported by devices next to each snapshot. */
  modelId: string;
  labels: string[];
  input: {
    name: string;
    shape: (number | string)[];
    layout: 'NCHW';
    dtype: 'float32';
    colorSpace: 'grayscale';
    preprocessing: string;
  };
  output: { name: string; shape: (number | string)[]; activation: 'softmax' };
  architecture: { family: string; parameters: number; macsPerImage: number; onnxOpset: number };
  source: {
    upstream: string;
    upstreamLicense: string;
    package: string;
    packageVersion: string;
    files: ArtifactEntry[];
    trainingData: string;
  };
  evaluation: { dataset: string; rows: number };
  variants: { fp32: ModelVariantEntry; int8: ModelVariantEntry };
  /** int8 PublicTest accuracy with faces reduced to N px, as the agent reads them (`eval --face-px`). */
  accuracyByFacePx: Record<string, number>;
  /** The readable size that curve implies (readableFromPx): the agent's default `emotion.minReadablePx`. */
  minReadablePx: number;
  /** How the weights were trained (absent for upstream weights). */
  training?: {
    recipe: string;
    weights: ArtifactEntry;
    selectedEpoch: number;
    /** Accuracy on the hold-out carved from FER2013 Training, by face px, of the selected epoch. */
    holdout: Record<string, number>;
  };
  /** The release kept beside this one for rollback (OTA `model-update` to its file restores it). */
  previous?: ModelVariantEntry & { version: string; modelId: string; accuracyByFacePx: Record<string, number> };
  cascade: ArtifactEntry & { source: string; license: string };
}

/** Reads vision/models/manifest.json. */
export function loadManifest(path = artifactPath('manifest')): ModelManifest {
  return JSON.parse(readFileSync(path, 'utf8')) as ModelManifest;
}
