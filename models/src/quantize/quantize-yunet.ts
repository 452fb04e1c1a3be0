import * as ort from 'onnxruntime-node';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { readGrayImage, resizeArea, yunetModelPath, type GrayImage } from '@lectern/vision';
import { PACKAGE_ROOT } from '../paths';
import { rangesAt, TensorStats, type ActivationRange } from './calibrate';
import {
  convNames,
  decodeOnnx,
  firstConvolutions,
  headConvolutions,
  planConvQdq,
  withExtraOutputs,
  writeConvQdq,
  type OnnxModel,
} from './onnx-conv-qdq';

/** The development-set photos (lab/devset/images): real frames, never anything from the shared data folder. */
export const DEVSET_IMAGES_DIR = resolve(PACKAGE_ROOT, '..', 'lab', 'devset', 'images');

/** The shipped fp32 detector (vision/models/yunet), the default input. */
export const FP32_YUNET_PATH = yunetModelPath('fp32');

/** YuNet's input side must be a multiple of its largest stride. */
const YUNET_DIVISOR = 32;

/**
 * YuNet reads BGR 0..255 without normalisation, and the agent feeds it whole gray levels (its resize rounds to
 * 8 bits): uint8 with scale 1 and zero point 0 holds that input exactly, so it is fixed, not calibrated.
 */
export const YUNET_INPUT_RANGE: ActivationRange = { min: 0, max: 255 };

export interface YunetQuantizeSettings {
  /** Weight bits of regular (group = 1) convolutions. */
  convWeightBits: number;
  /** Weight bits of depthwise convolutions. */
  depthwiseWeightBits: number;
  /** Activation range percentile (upper; the lower tail is cut symmetrically); 100 = min/max. */
  percentile: number;
  /**
   * Keep the convolution that reads the image (3 input channels, stride 2, the largest output) in fp32. Not for
   * accuracy (its uint8 input is exact) but for speed: ONNX Runtime's fp32 NCHWc kernel runs it faster than
   * QLinearConv does with 27-tap dot products.
   */
  floatFirstConv: boolean;
  /** Keep the detection heads (the 24 per-stride cls/obj/bbox/kps convolutions) in fp32. */
  floatHeads: boolean;
  /** Fold the expected output shift caused by weight rounding into each bias. */
  biasCorrection: boolean;
  /** More Conv nodes (ONNX node names, e.g. Conv_0) kept in fp32. */
  floatConvs?: readonly string[];
}

/**
 * Min/max ranges matched fp32's detections one for one on the dev set (the 99.999th percentile dropped one on the
 * full-size photos); int8 heads are faster than fp32 heads (no layout reorders between int8 and fp32 convolutions).
 * vision/models/yunet/README.md has the comparison with fp32.
 */
export const DEFAULT_YUNET_QUANTIZE_SETTINGS: YunetQuantizeSettings = {
  convWeightBits: 7,
  depthwiseWeightBits: 8,
  percentile: 100,
  floatFirstConv: true,
  floatHeads: false,
  biasCorrection: true,
};

/** Scales each calibration photo is used at (the detector sees faces of many sizes). */
export const DEFAULT_YUNET_CALIBRATION_SCALES: readonly number[] = [1, 0.5, 0.25];

/** Photos (jpg/png, sorted by name) of `dir`, gray, each at every scale (area-averaged down). */
export function yunetCalibrationFrames(
  dir: string = DEVSET_IMAGES_DIR,
  scales: readonly number[] = DEFAULT_YUNET_CALIBRATION_SCALES,
  limit = Infinity,
): GrayImage[] {
  for (const s of scales) if (!(s > 0 && s <= 1)) throw new Error(`calibration scales must be in (0, 1], got ${s}`);
  const files = readdirSync(dir)
    .filter((f) => ['.jpg', '.jpeg', '.png'].includes(extname(f).toLowerCase()))
    .sort()
    .slice(0, limit);
  if (files.length === 0) throw new Error(`no .jpg/.png calibration images in ${dir}`);
  const frames: GrayImage[] = [];
  for (const f of files) {
    const img = readGrayImage(join(dir, f));
    for (const s of scales) {
      const w = Math.max(YUNET_DIVISOR, Math.round(img.width * s));
      const h = Math.max(YUNET_DIVISOR, Math.round(img.height * s));
      frames.push(s === 1 ? img : resizeArea(img, w, h));
    }
  }
  return frames;
}

/** NCHW float input as the agent builds it: gray in all three planes, zero padding bottom/right to 32. */
export function yunetInputTensor(img: GrayImage): { data: Float32Array; dims: [number, number, number, number] } {
  const padW = Math.ceil(img.width / YUNET_DIVISOR) * YUNET_DIVISOR;
  const padH = Math.ceil(img.height / YUNET_DIVISOR) * YUNET_DIVISOR;
  const plane = padW * padH;
  const data = new Float32Array(3 * plane);
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < img.width; x++) data[y * padW + x] = img.data[y * img.width + x] ?? 0;
  data.copyWithin(plane, 0, plane);
  data.copyWithin(2 * plane, 0, plane);
  return { data, dims: [1, 3, padH, padW] };
}

/**
 * Runs the fp32 graph over the frames (one at a time: their sizes differ) with `tensors` as extra outputs.
 * Two passes: min/max and channel sums, then a histogram between min and max for the percentile cut.
 */
export async function collectOnnxActivationStats(
  model: OnnxModel,
  tensors: readonly string[],
  frames: readonly GrayImage[],
  onProgress?: (pass: 1 | 2, framesDone: number) => void,
): Promise<Map<string, TensorStats>> {
  const inputName = model.graph.input[0]?.name;
  if (!inputName || model.graph.input.length !== 1) throw new Error('calibration needs a model with one input');
  const outputs = tensors.filter((t) => t !== inputName);
  const dir = mkdtempSync(join(tmpdir(), 'lectern-calib-onnx-'));
  const path = join(dir, 'calibration.onnx');
  writeFileSync(path, withExtraOutputs(model, outputs));
  const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1, graphOptimizationLevel: 'basic' });
  const stats = new Map<string, TensorStats>();
  const statsFor = (t: string, channels: number, spatial: number): TensorStats => {
    let s = stats.get(t);
    if (!s) stats.set(t, (s = new TensorStats(channels, spatial)));
    return s;
  };
  try {
    for (const pass of [1, 2] as const) {
      for (const [k, frame] of frames.entries()) {
        const input = yunetInputTensor(frame);
        const [, c, h, w] = input.dims;
        if (tensors.includes(inputName)) {
          const s = statsFor(inputName, c, h * w);
          if (pass === 1) s.observeRange(input.data, h * w);
          else s.observeHistogram(input.data);
        }
        const feed = new ort.Tensor('float32', input.data, input.dims);
        const out = await session.run({ [inputName]: feed }, outputs);
        for (const t of outputs) {
          const v = out[t];
          if (!v) throw new Error(`calibration run produced no ${t}`);
          const [, channels = 1, ...spatialDims] = v.dims;
          const spatial = spatialDims.reduce((a, b) => a * b, 1);
          const s = statsFor(t, channels, spatial);
          if (pass === 1) s.observeRange(v.data as Float32Array, spatial);
          else s.observeHistogram(v.data as Float32Array);
        }
        for (const v of Object.values(out)) v.dispose();
        onProgress?.(pass, k + 1);
      }
    }
  } finally {
    await session.release();
    rmSync(dir, { recursive: true, force: true });
  }
  return stats;
}

/** The QDQ int8 YuNet, calibrated on `frames`; returns the ONNX bytes. */
export async function quantizeYunet(
  fp32: Uint8Array,
  frames: readonly GrayImage[],
  settings: YunetQuantizeSettings = DEFAULT_YUNET_QUANTIZE_SETTINGS,
  onProgress?: (pass: 1 | 2, framesDone: number) => void,
): Promise<Uint8Array> {
  for (const bits of [settings.convWeightBits, settings.depthwiseWeightBits])
    if (!Number.isInteger(bits) || bits < 2 || bits > 8) throw new Error(`weight bits must be 2..8, got ${bits}`);
  if (frames.length === 0) throw new Error('YuNet calibration needs at least one frame');
  const model = decodeOnnx(fp32);
  const inputName = model.graph.input[0]?.name ?? '';
  const floatConvs = new Set([
    ...(settings.floatFirstConv ? firstConvolutions(model) : []),
    ...(settings.floatHeads ? headConvolutions(model) : []),
    ...(settings.floatConvs ?? []),
  ]);
  const plan = planConvQdq(model, [...floatConvs]);
  const stats = await collectOnnxActivationStats(model, plan.calibrate, frames, onProgress);
  const ranges = rangesAt(stats, settings.percentile);
  ranges.set(inputName, YUNET_INPUT_RANGE);
  return writeConvQdq(model, plan, ranges, {
    convWeightBits: settings.convWeightBits,
    depthwiseWeightBits: settings.depthwiseWeightBits,
    ...(settings.biasCorrection ? { channelMeans: new Map([...stats].map(([t, s]) => [t, s.channelMeans()])) } : {}),
    producerVersion: 'quantize --model yunet',
    docString: `YuNet int8 QDQ: ${plan.convs.size} of ${convNames(model).length} convolutions quantized, calibrated on ${frames.length} frames`,
    metadata: {
      convWeightBits: String(settings.convWeightBits),
      depthwiseWeightBits: String(settings.depthwiseWeightBits),
      percentile: String(settings.percentile),
      floatFirstConv: String(settings.floatFirstConv),
      floatHeads: String(settings.floatHeads),
      biasCorrection: String(settings.biasCorrection),
      floatConvs: (settings.floatConvs ?? []).join(','),
      calibrationFrames: String(frames.length),
    },
  });
}
