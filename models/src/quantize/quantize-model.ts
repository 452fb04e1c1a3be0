import type { IrModel } from '../ir/ir';
import type { OnnxWriteOptions } from '../onnx/write-fp32';
import { collectActivationStats, rangesAt, type CalibrateOptions } from './calibrate';
import { tensorsToCalibrate, writeQdqOnnx, type QdqOptions } from './write-qdq';

export interface QuantizeSettings extends Pick<QdqOptions, 'convWeightBits' | 'depthwiseWeightBits'> {
  /** Activation range percentile (upper; the lower tail is cut symmetrically); 100 = min/max. */
  percentile: number;
  /** Keep the convolution that reads the image and the one that produces the logits in fp32. */
  floatEnds: boolean;
  /** Fold the expected output shift caused by weight rounding into each bias (needs channel means). */
  biasCorrection: boolean;
}

/**
 * The settings of the shipped int8 artifact. Chosen by top-1 agreement with fp32 on FER2013
 * Training rows that were not used for calibration (see README "Quantization"); PublicTest only
 * reports the result.
 */
export const DEFAULT_QUANTIZE_SETTINGS: QuantizeSettings = {
  convWeightBits: 7,
  depthwiseWeightBits: 8,
  percentile: 99.999,
  floatEnds: true,
  biasCorrection: true,
};

/** Model input range produced by toModelInput: (g/255 - 0.5) * 2. */
export const MODEL_INPUT_RANGE = { min: -1, max: 1 };

/** The first convolution (reads the image) and the last one (feeds global pooling: the class logits). */
export function endConvolutions(model: IrModel): string[] {
  const convs = model.nodes.filter((n) => n.kind === 'conv');
  const first = convs.find((n) => n.input === model.input.name);
  const gap = model.nodes.find((n) => n.kind === 'gap');
  const last = convs.find((n) => n.output === gap?.input);
  return [first, last].flatMap((n) => (n ? [n.name] : []));
}

/** Calibrates on `calibration` (NCHW, preprocessed) and returns the QDQ int8 ONNX bytes. */
export async function quantizeModel(
  model: IrModel,
  calibration: Float32Array,
  imageCount: number,
  settings: QuantizeSettings,
  write: OnnxWriteOptions,
  onProgress?: CalibrateOptions['onProgress'],
): Promise<Uint8Array> {
  const stats = await collectActivationStats(
    model,
    tensorsToCalibrate(model),
    calibration,
    imageCount,
    onProgress ? { onProgress } : {},
  );
  const options: QdqOptions = {
    convWeightBits: settings.convWeightBits,
    depthwiseWeightBits: settings.depthwiseWeightBits,
    inputRange: MODEL_INPUT_RANGE,
    ...(settings.floatEnds ? { floatConvs: endConvolutions(model) } : {}),
    ...(settings.biasCorrection ? { channelMeans: new Map([...stats].map(([t, s]) => [t, s.channelMeans()])) } : {}),
  };
  return writeQdqOnnx(model, rangesAt(stats, settings.percentile), options, write);
}
