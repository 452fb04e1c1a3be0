import * as ort from 'onnxruntime-node';
import { cpus } from 'node:os';
import { existsSync } from 'node:fs';
import { loadSourceModel } from '../build/convert-source';
import { readFerCsv } from '../fer-csv';
import type { GrayImage } from '@lectern/vision';
import { MODEL_INPUT_SIZE, toModelInput } from '@lectern/vision';
import { artifactPath } from '@lectern/vision';
import { readTfjsGraphModel } from '../tfjs/graph-model-files';
import { loadInTfjs } from '../tfjs/load-in-tfjs';
import { medianMsPerCall } from './time';

export interface BenchRow {
  engine: string;
  variant: string;
  threads: number;
  batch: number;
  msPerFace: number;
}

export interface BenchReport {
  cpu: string;
  cores: number;
  onnxruntime: string;
  rows: BenchRow[];
  /** int8 ms/face divided by fp32 ms/face at batch 16, one thread (the device configuration). */
  int8OverFp32Batch16: number;
  int8OverFp32Batch16TwoThreads: number;
  int8OverFp32Batch1: number;
  tfjsNode: 'measured' | 'not installed';
}

const PLANE = MODEL_INPUT_SIZE * MODEL_INPUT_SIZE;

async function faces(csv: string | undefined, n: number): Promise<GrayImage[]> {
  const out: GrayImage[] = [];
  if (csv && existsSync(csv)) for await (const row of readFerCsv(csv, { limit: n })) out.push(row.image);
  // Without FER2013, deterministic texture stands in: timing does not depend on content.
  while (out.length < n)
    out.push({
      width: 48,
      height: 48,
      data: Uint8Array.from({ length: 2304 }, (_, i) => (i * 37 + out.length * 11) % 256),
    });
  return out;
}

async function benchOrt(
  path: string,
  variant: string,
  threads: number,
  batch: number,
  input: Float32Array,
): Promise<BenchRow> {
  const session = await ort.InferenceSession.create(path, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const feed = {
    [session.inputNames[0] ?? 'input']: new ort.Tensor('float32', input.subarray(0, batch * PLANE), [
      batch,
      1,
      MODEL_INPUT_SIZE,
      MODEL_INPUT_SIZE,
    ]),
  };
  const callsPerRound = Math.max(2, Math.round(64 / batch));
  const ms = await medianMsPerCall(() => session.run(feed), { warmup: 3, rounds: 7, callsPerRound });
  await session.release();
  return { engine: 'onnxruntime-node', variant, threads, batch, msPerFace: ms / batch };
}

type Tfjs = typeof import('@tensorflow/tfjs');

async function benchTfjs(
  tf: Tfjs,
  engine: string,
  batch: number,
  input: Float32Array,
  rounds: number,
): Promise<BenchRow> {
  const model = await loadInTfjs(tf, readTfjsGraphModel(loadSourceModel().location.modelJson));
  const x = tf.tensor4d(input.subarray(0, batch * PLANE), [batch, MODEL_INPUT_SIZE, MODEL_INPUT_SIZE, 1]);
  const run = async (): Promise<void> => {
    const y = model.predict(x) as import('@tensorflow/tfjs').Tensor;
    await y.data();
    y.dispose();
  };
  const ms = await medianMsPerCall(run, { warmup: 1, rounds, callsPerRound: 1 });
  x.dispose();
  model.dispose();
  return { engine, variant: 'fp32', threads: 1, batch, msPerFace: ms / batch };
}

/** tfjs-node cannot be installed offline here; when it is present it replaces the pure-JS kernels. */
async function loadTfjsNode(): Promise<Tfjs | null> {
  try {
    // Typed as string so TypeScript does not require the optional package's declarations.
    const specifier: string = '@tensorflow/tfjs-node';
    return (await import(specifier)) as Tfjs;
  } catch {
    return null;
  }
}

export async function runBenchmark(opts: {
  csv?: string;
  log: (row: BenchRow) => void;
  tfjs?: boolean;
}): Promise<BenchReport> {
  const input = toModelInput(await faces(opts.csv, 16));
  const rows: BenchRow[] = [];
  const add = (row: BenchRow): void => {
    rows.push(row);
    opts.log(row);
  };
  for (const threads of [1, 2]) {
    for (const batch of [1, 16]) {
      for (const variant of ['fp32', 'int8'] as const)
        add(await benchOrt(artifactPath(variant), variant, threads, batch, input));
    }
  }
  let tfjsNode: BenchReport['tfjsNode'] = 'not installed';
  if (opts.tfjs !== false) {
    const tf = await import('@tensorflow/tfjs');
    await tf.setBackend('cpu');
    add(await benchTfjs(tf, 'tfjs (cpu, pure JS)', 1, input, 3));
    add(await benchTfjs(tf, 'tfjs (cpu, pure JS)', 16, input, 1));
    const tfn = await loadTfjsNode();
    if (tfn) {
      tfjsNode = 'measured';
      add(await benchTfjs(tfn, 'tfjs-node', 1, input, 5));
      add(await benchTfjs(tfn, 'tfjs-node', 16, input, 3));
    }
  }
  const ms = (variant: string, threads: number, batch: number): number =>
    rows.find(
      (r) => r.engine === 'onnxruntime-node' && r.variant === variant && r.threads === threads && r.batch === batch,
    )?.msPerFace ?? NaN;
  const ratio = (threads: number, batch: number): number =>
    Number((ms('int8', threads, batch) / ms('fp32', threads, batch)).toFixed(3));
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    onnxruntime: ort.env.versions.node ?? 'unknown',
    rows,
    int8OverFp32Batch16: ratio(1, 16),
    int8OverFp32Batch16TwoThreads: ratio(2, 16),
    int8OverFp32Batch1: ratio(1, 1),
    tfjsNode,
  };
}
