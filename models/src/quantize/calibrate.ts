import * as ort from 'onnxruntime-node';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inferShapes, type IrModel } from '../ir/ir';
import { writeFp32Onnx } from '../onnx/write-fp32';

/** Real-valued range an activation tensor is quantized over. */
export interface ActivationRange {
  min: number;
  max: number;
}

const BINS = 16384;

/** Min/max, then a histogram between them: exact enough to cut at a 1e-5 tail without keeping every value. */
export class TensorStats {
  min = Infinity;
  max = -Infinity;
  count = 0;
  private hist: Float64Array | null = null;
  private readonly channelSums: Float64Array;
  /** Spatial positions seen per channel, summed over images. */
  private positions = 0;

  /** `channels` and `spatial` (H*W) describe one image of the NCHW tensor. */
  constructor(
    private readonly channels: number,
    private readonly spatial: number,
  ) {
    this.channelSums = new Float64Array(channels);
  }

  /** `spatial` overrides the constructor's H*W for inputs of varying size (a fully convolutional detector). */
  observeRange(data: Float32Array, spatial = this.spatial): void {
    let { min, max } = this;
    const sums = this.channelSums;
    const { channels } = this;
    for (let base = 0, c = 0; base < data.length; base += spatial, c = (c + 1) % channels) {
      let sum = 0;
      for (let i = base; i < base + spatial; i++) {
        const v = data[i] as number;
        if (v < min) min = v;
        if (v > max) max = v;
        sum += v;
      }
      sums[c] = (sums[c] as number) + sum;
    }
    this.min = min;
    this.max = max;
    this.positions += data.length / channels;
  }

  /** Mean value of each channel over all calibration images and positions. */
  channelMeans(): Float32Array {
    // Equal to images * H*W (exact integers) when every image has the constructor's size.
    return Float32Array.from(this.channelSums, (s) => s / Math.max(1, this.positions));
  }

  observeHistogram(data: Float32Array): void {
    const hist = (this.hist ??= new Float64Array(BINS));
    const inv = BINS / (this.max - this.min || 1);
    const min = this.min;
    for (let i = 0; i < data.length; i++) {
      // Values come from the same runs as min/max, so the index is in range except the maximum itself.
      const bin = ((data[i] as number) - min) * inv;
      const k = bin >= BINS ? BINS - 1 : bin | 0;
      hist[k] = (hist[k] as number) + 1;
    }
    this.count += data.length;
  }

  /**
   * Among symmetric percentile cuts, the range with the least expected uint8 quantization error
   * (clipping error outside, uniform rounding error step^2/12 inside), read off the histogram.
   */
  mseRange(candidates: readonly number[]): ActivationRange {
    const hist = this.hist;
    if (!hist) return { min: this.min, max: this.max };
    const width = (this.max - this.min) / BINS;
    let best: ActivationRange = { min: this.min, max: this.max };
    let bestError = Infinity;
    for (const p of candidates) {
      const lo = Math.min(0, this.percentile(100 - p));
      const hi = Math.max(0, this.percentile(p));
      const step = (hi - lo) / 255;
      let error = 0;
      for (let i = 0; i < BINS; i++) {
        const count = hist[i] ?? 0;
        if (count === 0) continue;
        const v = this.min + (i + 0.5) * width;
        const d = v < lo ? lo - v : v > hi ? v - hi : 0;
        error += count * (d * d + (step * step) / 12);
      }
      if (error < bestError) {
        bestError = error;
        best = { min: lo, max: hi };
      }
    }
    return best;
  }

  /** Value below which `p` percent of the observed values lie. */
  percentile(p: number): number {
    const hist = this.hist;
    if (!hist || this.count === 0) return p < 50 ? this.min : this.max;
    const width = (this.max - this.min) / BINS;
    const target = (p / 100) * this.count;
    let seen = 0;
    for (let i = 0; i < BINS; i++) {
      seen += hist[i] ?? 0;
      if (seen >= target) return this.min + (p < 50 ? i : i + 1) * width;
    }
    return this.max;
  }
}

export interface CalibrateOptions {
  /** Upper percentile kept (the lower tail is cut symmetrically); 100 = plain min/max. */
  percentile: number;
  batchSize?: number;
  onProgress?: (pass: 1 | 2, imagesDone: number) => void;
}

/**
 * Runs the fp32 model over calibration inputs (NCHW, already preprocessed) and returns a range per
 * activation tensor. Two passes: min/max, then a histogram for the percentile cut.
 */
export async function calibrateActivations(
  model: IrModel,
  tensors: readonly string[],
  inputs: Float32Array,
  imageCount: number,
  opts: CalibrateOptions,
): Promise<Map<string, ActivationRange>> {
  return rangesAt(await collectActivationStats(model, tensors, inputs, imageCount, opts), opts.percentile);
}

/** Cuts each tensor's distribution at `percentile` (upper) and 100 - `percentile` (lower). */
export function rangesAt(stats: Map<string, TensorStats>, percentile: number): Map<string, ActivationRange> {
  const ranges = new Map<string, ActivationRange>();
  for (const [t, s] of stats) ranges.set(t, { min: s.percentile(100 - percentile), max: s.percentile(percentile) });
  return ranges;
}

/** Per tensor, the percentile cut with the least expected quantization error. */
export function rangesByMse(
  stats: Map<string, TensorStats>,
  candidates: readonly number[] = [99.9, 99.95, 99.99, 99.995, 99.999, 99.9999, 100],
): Map<string, ActivationRange> {
  const ranges = new Map<string, ActivationRange>();
  for (const [t, s] of stats) ranges.set(t, s.mseRange(candidates));
  return ranges;
}

export async function collectActivationStats(
  model: IrModel,
  tensors: readonly string[],
  inputs: Float32Array,
  imageCount: number,
  opts: Omit<CalibrateOptions, 'percentile'>,
): Promise<Map<string, TensorStats>> {
  const [c, h, w] = model.input.shape;
  const plane = c * h * w;
  const dir = mkdtempSync(join(tmpdir(), 'lectern-calib-'));
  const path = join(dir, 'calibration.onnx');
  writeFileSync(path, writeFp32Onnx(model, { producerVersion: 'calibration', docString: '', extraOutputs: tensors }));
  const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1, graphOptimizationLevel: 'basic' });
  const shapes = inferShapes(model);
  const stats = new Map(
    tensors.map((t) => {
      const [channels = 1, ...spatial] = shapes.get(t) ?? [];
      return [
        t,
        new TensorStats(
          channels,
          spatial.reduce((a, b) => a * b, 1),
        ),
      ];
    }),
  );
  // The input is not a graph output; its statistics come straight from the calibration array.
  const inputStats = new TensorStats(c, h * w);
  inputStats.observeRange(inputs.subarray(0, imageCount * plane));
  stats.set(model.input.name, inputStats);
  const batchSize = opts.batchSize ?? 32;
  try {
    for (const pass of [1, 2] as const) {
      for (let start = 0; start < imageCount; start += batchSize) {
        const n = Math.min(batchSize, imageCount - start);
        const feed = new ort.Tensor('float32', inputs.subarray(start * plane, (start + n) * plane), [n, c, h, w]);
        const out = await session.run({ [model.input.name]: feed }, [...tensors]);
        for (const t of tensors) {
          if (t === model.input.name) continue;
          const data = out[t]?.data as Float32Array | undefined;
          if (!data) throw new Error(`calibration run produced no ${t}`);
          const s = stats.get(t);
          if (pass === 1) s?.observeRange(data);
          else s?.observeHistogram(data);
        }
        for (const v of Object.values(out)) v.dispose();
        opts.onProgress?.(pass, start + n);
      }
    }
  } finally {
    await session.release();
    rmSync(dir, { recursive: true, force: true });
  }
  return stats;
}
