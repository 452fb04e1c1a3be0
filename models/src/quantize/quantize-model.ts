import type { IrModel } from '../ir/ir';
import type { OnnxWriteOptions } from '../onnx/write-fp32';
import { calibrateActivations, type CalibrateOptions } from './calibrate';
import { tensorsToCalibrate, writeQdqOnnx, type QdqOptions } from './write-qdq';

export interface QuantizeSettings extends Omit<QdqOptions, 'inputRange'> {
  percentile: number;
}

/** The settings the shipped int8 artifact uses (see README: why 7-bit conv weights and a percentile cut). */
export const DEFAULT_QUANTIZE_SETTINGS: QuantizeSettings = { convWeightBits: 7, depthwiseWeightBits: 8, percentile: 99.999 };

/** Model input range produced by toModelInput: (g/255 - 0.5) * 2. */
export const MODEL_INPUT_RANGE = { min: -1, max: 1 };

/** Calibrates on `calibration` (NCHW, preprocessed) and returns the QDQ int8 ONNX bytes. */
export async function quantizeModel(
  model: IrModel,
  calibration: Float32Array,
  imageCount: number,
  settings: QuantizeSettings,
  write: OnnxWriteOptions,
  onProgress?: CalibrateOptions['onProgress'],
): Promise<Uint8Array> {
  const ranges = await calibrateActivations(model, tensorsToCalibrate(model), calibration, imageCount, {
    percentile: settings.percentile,
    ...(onProgress ? { onProgress } : {}),
  });
  return writeQdqOnnx(model, ranges, { ...settings, inputRange: MODEL_INPUT_RANGE }, write);
}
