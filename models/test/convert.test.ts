import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertSourceToOnnx, loadSourceModel } from '../src/build/convert-source';
import { depthwiseToOihw, hwioToOihw } from '../src/convert/tfjs-graph-to-ir';
import { modelCost, samePadding } from '../src/ir/ir';
import { MODEL_INPUT_SIZE, toModelInput } from '@lectern/vision';
import { readOnnxSummary } from '../src/onnx/onnx-reader';
import { artifactPath } from '@lectern/vision';
import { readTfjsGraphModel } from '../src/tfjs/graph-model-files';
import { loadInTfjs } from '../src/tfjs/load-in-tfjs';
import { seededRandom } from '../src/seeded-random';
import { HAVE_FER, PUBLIC_TEST_CSV, readRows } from './helpers';

const PLANE = MODEL_INPUT_SIZE * MODEL_INPUT_SIZE;

/** NCHW with one channel has the same memory layout as NHWC, so one buffer feeds both frameworks. */
async function bothOutputs(input: Float32Array, n: number): Promise<{ tfjs: Float32Array; onnx: Float32Array }> {
  const source = loadSourceModel();
  const files = readTfjsGraphModel(source.location.modelJson, source.release.weights ?? undefined);
  const model = await loadInTfjs(tf, files);
  const x = tf.tensor4d(input, [n, MODEL_INPUT_SIZE, MODEL_INPUT_SIZE, 1]);
  const y = model.predict(x) as tf.Tensor;
  const tfjs = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  model.dispose();
  const session = await ort.InferenceSession.create(artifactPath('fp32'));
  const out = await session.run({
    input: new ort.Tensor('float32', input, [n, 1, MODEL_INPUT_SIZE, MODEL_INPUT_SIZE]),
  });
  const onnx = out[session.outputNames[0] ?? '']?.data as Float32Array;
  await session.release();
  return { tfjs, onnx };
}

const maxAbsDiff = (a: Float32Array, b: Float32Array): number =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] ?? NaN))), 0);

describe('TF.js graph model -> ONNX converter', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('matches TF.js within 1e-4 on random inputs', async () => {
    const rand = seededRandom(7);
    const n = 4;
    const input = Float32Array.from({ length: n * PLANE }, () => rand() * 2 - 1);
    const { tfjs, onnx } = await bothOutputs(input, n);
    expect(onnx.length).toBe(n * 7);
    expect(maxAbsDiff(tfjs, onnx)).toBeLessThan(1e-4);
  });

  it.skipIf(!HAVE_FER)('matches TF.js within 1e-4 on real FER2013 face crops', async () => {
    const rows = await readRows(PUBLIC_TEST_CSV, 12);
    const { tfjs, onnx } = await bothOutputs(toModelInput(rows.map((r) => r.image)), rows.length);
    expect(maxAbsDiff(tfjs, onnx)).toBeLessThan(1e-4);
    // Real faces give confident, varied predictions: not a degenerate constant output.
    const top = new Set(
      rows.map((_, i) => Array.from(onnx.slice(i * 7, i * 7 + 7)).indexOf(Math.max(...onnx.slice(i * 7, i * 7 + 7)))),
    );
    expect(top.size).toBeGreaterThan(2);
  });

  it('regenerates the committed fp32 artifact byte for byte', () => {
    const bytes = convertSourceToOnnx();
    expect(Buffer.from(bytes).equals(readFileSync(artifactPath('fp32')))).toBe(true);
  });

  it('writes opset 13 with a batch-dynamic NCHW input and the expected ops', () => {
    const summary = readOnnxSummary(artifactPath('fp32'));
    expect(summary.opset).toBeGreaterThanOrEqual(13);
    expect(summary.inputs).toEqual(['input']);
    expect(summary.outputs).toEqual(['probabilities']);
    const ops = summary.nodes.map((n) => n.opType);
    expect(ops.filter((o) => o === 'Conv')).toHaveLength(13);
    expect(ops.filter((o) => o === 'Add')).toHaveLength(2);
    expect(ops.filter((o) => o === 'MaxPool')).toHaveLength(2);
    expect(ops).toContain('GlobalAveragePool');
    expect(ops.at(-1)).toBe('Softmax');
  });

  it('reports the size of big_XCEPTION', () => {
    expect(modelCost(loadSourceModel().ir)).toEqual({ parameters: 205_127, macs: 65_768_288 });
  });

  it('reads the residual 1x1 conv from the first add before its relu', () => {
    const { ir } = loadSourceModel();
    const residual = ir.nodes.find((n) => n.name.startsWith('batch_normalization_2'));
    expect(residual?.kind === 'conv' && residual.input).toBe('add_1/add');
  });
});

describe('layout and padding helpers', () => {
  it('computes TF SAME padding with the extra pixel at the end', () => {
    expect(samePadding(29, 3, 2)).toEqual([1, 1]);
    expect(samePadding(29, 1, 2)).toEqual([0, 0]);
    expect(samePadding(64, 3, 2)).toEqual([0, 1]);
    expect(samePadding(15, 3, 1)).toEqual([1, 1]);
  });

  it('moves HWIO weights to OIHW', () => {
    // h=1, w=2, i=2, o=3: value encodes (y, x, i, o) as digits.
    const hwio = Float32Array.from([0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112]);
    const oihw = hwioToOihw(hwio, [1, 2, 2, 3]);
    // o=1, i=1, y=0, x=1 -> HWIO index ((0*2+1)*2+1)*3+1 = 10 -> 111
    expect(oihw[((1 * 2 + 1) * 1 + 0) * 2 + 1]).toBe(111);
    expect(Array.from(oihw.slice(0, 4))).toEqual([0, 100, 10, 110]);
  });

  it('moves depthwise HWC1 weights to C1HW', () => {
    const hwc1 = Float32Array.from([1, 2, 3, 4, 5, 6]); // h=1, w=3, c=2
    expect(Array.from(depthwiseToOihw(hwc1, [1, 3, 2, 1]))).toEqual([1, 3, 5, 2, 4, 6]);
  });
});

describe('fine-tuned weights', () => {
  it('replace the shards of the same graph, and a file of the wrong size is refused by name', () => {
    const source = loadSourceModel();
    const weights = source.release.weights;
    expect(weights, 'the current release names its weights file').toBeTruthy();
    const tuned = readTfjsGraphModel(source.location.modelJson, weights!);
    const upstream = readTfjsGraphModel(source.location.modelJson);
    expect([...tuned.weights.keys()]).toEqual([...upstream.weights.keys()]);
    const name = [...tuned.weights.keys()].find((k) => tuned.weights.get(k)!.shape.length === 4)!;
    expect(Array.from(tuned.weights.get(name)!.data)).not.toEqual(Array.from(upstream.weights.get(name)!.data));

    const dir = mkdtempSync(join(tmpdir(), 'lectern-weights-'));
    try {
      const short = join(dir, 'short.bin');
      writeFileSync(short, readFileSync(weights!).subarray(0, 1000));
      expect(() => readTfjsGraphModel(source.location.modelJson, short)).toThrow(/short\.bin: weight data ends inside/);
      const long = join(dir, 'long.bin');
      writeFileSync(long, Buffer.concat([readFileSync(weights!), Buffer.alloc(8)]));
      expect(() => readTfjsGraphModel(source.location.modelJson, long)).toThrow(
        /long\.bin: .* bytes of weights, the graph describes/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
