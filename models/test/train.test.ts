import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layersModelToIr } from '../src/convert/layers-model-to-ir';
import { modelCost } from '../src/ir/ir';
import { augmentImage, PAPER_AUGMENTATION } from '../src/train/augment';
import { seededRandom } from '../src/seeded-random';
import { loadLayersModel } from '../src/train/checkpoint';
import { exportLayersModelToOnnx } from '../src/train/export-onnx';
import { loadTrainingData } from '../src/train/load-training-data';
import { buildMiniXception } from '../src/train/mini-xception';
import { evaluateLoss, trainModel, type TrainingData } from '../src/train/train-loop';
import { HAVE_FER, PUBLIC_TEST_CSV } from './helpers';

const tmp = mkdtempSync(join(tmpdir(), 'lectern-train-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('mini-Xception', () => {
  it('has the paper shape: 4 residual separable modules, batch norm, global pooling, no dense layer', () => {
    const model = buildMiniXception(tf);
    const classes = model.layers.map((l) => l.getClassName());
    expect(classes.filter((c) => c === 'SeparableConv2D')).toHaveLength(8);
    expect(classes.filter((c) => c === 'Add')).toHaveLength(4);
    expect(classes).toContain('GlobalAveragePooling2D');
    expect(classes).not.toContain('Dense');
    expect(model.outputs[0]?.shape).toEqual([null, 7]);
    // Parameters after folding batch norms into the convolutions.
    expect(modelCost(layersModelToIr(model, 't')).parameters).toBeLessThan(60_000);
    model.dispose();
  });

  it('augments deterministically and keeps a flat image flat', () => {
    const size = 64;
    const ramp = Float32Array.from({ length: size * size }, (_, i) => (i % size) / size);
    const a = augmentImage(ramp, size, PAPER_AUGMENTATION, seededRandom(3));
    const b = augmentImage(ramp, size, PAPER_AUGMENTATION, seededRandom(3));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(a.some((v, i) => Math.abs(v - (ramp[i] ?? 0)) > 0.05)).toBe(true);
    const flat = augmentImage(new Float32Array(size * size).fill(0.25), size, PAPER_AUGMENTATION, seededRandom(4));
    expect(flat.every((v) => Math.abs(v - 0.25) < 1e-6)).toBe(true);
  });
});

describe.skipIf(!HAVE_FER)('training on real faces', () => {
  let data: TrainingData;
  const model = buildMiniXception(tf, { seed: 5 });

  it('lowers the loss on 256 PublicTest rows in a few steps and checkpoints the model', async () => {
    data = await loadTrainingData(PUBLIC_TEST_CSV, { limit: 256 });
    expect(data.count).toBe(256);
    // The same seed gives the same initial weights: this twin stays untrained.
    const untrained = buildMiniXception(tf, { seed: 5 });
    const trainedRows: number[] = [];
    const result = await trainModel(tf, model, data, {
      epochs: 5,
      batchSize: 4,
      validationSplit: 0.05,
      patience: 10,
      learningRate: 0.003,
      seed: 1,
      augment: null,
      maxSteps: 3,
      checkpointDir: join(tmp, 'ckpt'),
      onBatch: (_epoch, _batch, _batches, loss, rows) => {
        expect(Number.isFinite(loss)).toBe(true);
        trainedRows.push(...rows);
      },
    });
    expect(result.steps).toBe(3);
    expect(new Set(trainedRows).size).toBe(12);
    // Training-mode loss (batch statistics): a few steps cannot move the moving averages much yet.
    const before = await evaluateLoss(tf, untrained, data, trainedRows, 12, true);
    const after = await evaluateLoss(tf, model, data, trainedRows, 12, true);
    expect(after.loss).toBeLessThan(before.loss);
    untrained.dispose();
    const reloaded = await loadLayersModel(tf, join(tmp, 'ckpt'));
    expect(reloaded.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
    reloaded.dispose();
  }, 900_000);

  it('exports to ONNX that matches TF.js within 1e-4', async () => {
    const path = join(tmp, 'trained.onnx');
    writeFileSync(path, exportLayersModelToOnnx(model));
    const n = 8;
    const random = seededRandom(11);
    const input = new Float32Array(n * 4096);
    input.set(data.images.subarray(0, 4 * 4096));
    for (let i = 4 * 4096; i < input.length; i++) input[i] = random() * 2 - 1;
    const x = tf.tensor4d(input, [n, 64, 64, 1]);
    const y = model.predict(x) as tf.Tensor;
    const expected = (await y.data()) as Float32Array;
    tf.dispose([x, y]);
    const session = await ort.InferenceSession.create(readFileSync(path));
    const out = await session.run({ input: new ort.Tensor('float32', input, [n, 1, 64, 64]) });
    const actual = out.probabilities?.data as Float32Array;
    await session.release();
    expect(actual).toHaveLength(n * 7);
    let max = 0;
    for (let i = 0; i < actual.length; i++) max = Math.max(max, Math.abs((actual[i] ?? NaN) - (expected[i] ?? NaN)));
    expect(max).toBeLessThan(1e-4);
  });
});
