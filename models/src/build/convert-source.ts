import { tfjsGraphToIr } from '../convert/tfjs-graph-to-ir';
import type { IrModel } from '../ir/ir';
import { LABELS } from '@lectern/vision';
import { writeFp32Onnx, type OnnxWriteOptions } from '../onnx/write-fp32';
import { locateSourceModel, SOURCE_PACKAGE, type SourceModelLocation } from '../source-model';
import { readTfjsGraphModel } from '../tfjs/graph-model-files';

export const MODEL_NAME = 'lectern-emotion';
export const PREPROCESSING =
  'grayscale face crop resized to 64x64 (bilinear), value = (gray / 255 - 0.5) * 2, NCHW [N,1,64,64]';

export interface SourceModel {
  location: SourceModelLocation;
  ir: IrModel;
}

export function loadSourceModel(location = locateSourceModel()): SourceModel {
  return { location, ir: tfjsGraphToIr(readTfjsGraphModel(location.modelJson), MODEL_NAME) };
}

/** ONNX metadata shared by both variants, so a lone .onnx file still says what it is. */
export function onnxWriteOptions(version: string, location: SourceModelLocation, variant: string): OnnxWriteOptions {
  return {
    producerVersion: version,
    docString: `FER2013 7-class facial expression CNN (big_XCEPTION, oarriaga/face_classification, MIT), ${variant}`,
    metadata: {
      labels: LABELS.join(','),
      preprocessing: PREPROCESSING,
      source: `${SOURCE_PACKAGE}@${location.packageVersion} models/emotion.json`,
      variant,
    },
  };
}

export function convertSourceToOnnx(version: string, source = loadSourceModel()): Uint8Array {
  return writeFp32Onnx(source.ir, onnxWriteOptions(version, source.location, 'fp32'));
}
