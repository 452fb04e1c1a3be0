import { basename } from 'node:path';
import { tfjsGraphToIr } from '../convert/tfjs-graph-to-ir';
import type { IrModel } from '../ir/ir';
import { LABELS } from '@lectern/vision';
import { writeFp32Onnx, type OnnxWriteOptions } from '../onnx/write-fp32';
import { CURRENT_RELEASE, type EmotionRelease } from '../release';
import { locateSourceModel, SOURCE_PACKAGE, type SourceModelLocation } from '../source-model';
import { readTfjsGraphModel } from '../tfjs/graph-model-files';

export const MODEL_NAME = 'lectern-emotion';
export const PREPROCESSING =
  'grayscale face crop resized to 64x64 (bilinear), value = (gray / 255 - 0.5) * 2, NCHW [N,1,64,64]';

export interface SourceModel {
  location: SourceModelLocation;
  release: EmotionRelease;
  ir: IrModel;
}

/** The package's graph with the release's weights (its own when the release has none). */
export function loadSourceModel(
  release: EmotionRelease = CURRENT_RELEASE,
  location = locateSourceModel(),
): SourceModel {
  const graph = readTfjsGraphModel(location.modelJson, release.weights ?? undefined);
  return { location, release, ir: tfjsGraphToIr(graph, MODEL_NAME) };
}

/** ONNX metadata shared by both variants, so a lone .onnx file still says what it is. */
export function onnxWriteOptions(source: SourceModel, variant: string): OnnxWriteOptions {
  const { release, location } = source;
  const weights = release.weights ? basename(release.weights) : `${SOURCE_PACKAGE} models/emotion.bin`;
  return {
    producerVersion: release.version,
    docString: `FER2013 7-class facial expression CNN (big_XCEPTION, oarriaga/face_classification, MIT), ${release.summary}, ${variant}`,
    metadata: {
      labels: LABELS.join(','),
      preprocessing: PREPROCESSING,
      source: `${SOURCE_PACKAGE}@${location.packageVersion} models/emotion.json`,
      weights,
      variant,
    },
  };
}

export function convertSourceToOnnx(source = loadSourceModel()): Uint8Array {
  return writeFp32Onnx(source.ir, onnxWriteOptions(source, 'fp32'));
}
