import type * as tfjs from '@tensorflow/tfjs';
import { NUM_CLASSES } from '@lectern/vision';
import { seededRandom } from '../seeded-random';
import { augmentImage, type AugmentOptions } from './augment';
import { saveLayersModel } from './checkpoint';
import type { Tfjs } from './tfjs-runtime';

/** Preprocessed faces, NHWC with one channel: `images.length === count * size * size`. */
export interface TrainingData {
  images: Float32Array;
  labels: Uint8Array;
  count: number;
  size: number;
}

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  /** Fraction of the rows held out for validation (after a seeded shuffle). */
  validationSplit: number;
  /** Stop after this many epochs without a lower validation loss. */
  patience: number;
  learningRate: number;
  seed: number;
  augment: AugmentOptions | null;
  /** The best model so far is saved here after every improving epoch. */
  checkpointDir?: string;
  /** Stop after this many batches in total (for smoke runs); the epoch ends early. */
  maxSteps?: number;
  /** After each step; `rows` are the data indices the step trained on. */
  onBatch?: (epoch: number, batch: number, batches: number, loss: number, rows: readonly number[]) => void;
  onEpoch?: (result: EpochResult) => void;
}

export interface EpochResult {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number;
  valAccuracy: number;
  improved: boolean;
}

export interface TrainResult {
  epochs: EpochResult[];
  bestEpoch: number;
  stoppedEarly: boolean;
  steps: number;
}

function batchTensors(
  tf: Tfjs,
  data: TrainingData,
  indices: ArrayLike<number>,
  augment: AugmentOptions | null,
  random: () => number,
): { x: tfjs.Tensor4D; y: tfjs.Tensor2D } {
  const plane = data.size * data.size;
  const x = new Float32Array(indices.length * plane);
  const y = new Float32Array(indices.length * NUM_CLASSES);
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i] ?? 0;
    const src = data.images.subarray(k * plane, (k + 1) * plane);
    if (augment) augmentImage(src, data.size, augment, random, x.subarray(i * plane, (i + 1) * plane));
    else x.set(src, i * plane);
    y[i * NUM_CLASSES + (data.labels[k] ?? 0)] = 1;
  }
  return {
    x: tf.tensor4d(x, [indices.length, data.size, data.size, 1]),
    y: tf.tensor2d(y, [indices.length, NUM_CLASSES]),
  };
}

function shuffle(a: Uint32Array, random: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = a[i] ?? 0;
    a[i] = a[j] ?? 0;
    a[j] = t;
  }
}

/**
 * Mean loss and accuracy of the model on `indices`, without augmentation; in inference mode
 * unless `training` (batch norm then normalises with the statistics of each batch).
 */
export async function evaluateLoss(
  tf: Tfjs,
  model: tfjs.LayersModel,
  data: TrainingData,
  indices: ArrayLike<number>,
  batchSize: number,
  training = false,
): Promise<{ loss: number; accuracy: number }> {
  let loss = 0;
  let correct = 0;
  for (let s = 0; s < indices.length; s += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, indices.length - s) }, (_, i) => indices[s + i] ?? 0);
    const { x, y } = batchTensors(tf, data, idx, null, Math.random);
    const p = (training ? model.apply(x, { training: true }) : model.predict(x)) as tfjs.Tensor2D;
    const l = tf.losses.softmaxCrossEntropy(y, tf.log(tf.clipByValue(p, 1e-7, 1)));
    // softmaxCrossEntropy on log-probabilities equals the categorical cross-entropy of p.
    loss += (await l.data())[0]! * idx.length;
    const hits = tf.equal(tf.argMax(p, 1), tf.argMax(y, 1)).sum();
    correct += (await hits.data())[0]!;
    tf.dispose([x, y, p, l, hits]);
  }
  return { loss: loss / Math.max(1, indices.length), accuracy: correct / Math.max(1, indices.length) };
}

/**
 * Mini-batch Adam on categorical cross-entropy with augmentation, a held-out validation split,
 * checkpoints of the best epoch and early stopping; the best weights are restored at the end.
 */
export async function trainModel(
  tf: Tfjs,
  model: tfjs.LayersModel,
  data: TrainingData,
  opts: TrainOptions,
): Promise<TrainResult> {
  if (data.count < 2) throw new Error('need at least two training rows');
  const random = seededRandom(opts.seed);
  const order = Uint32Array.from({ length: data.count }, (_, i) => i);
  shuffle(order, random);
  const valCount = Math.min(data.count - 1, Math.round(data.count * opts.validationSplit));
  const val = order.slice(data.count - valCount);
  const train = order.slice(0, data.count - valCount);
  model.compile({
    optimizer: tf.train.adam(opts.learningRate),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  const epochs: EpochResult[] = [];
  let best = Infinity;
  let bestEpoch = 0;
  let bestWeights: tfjs.Tensor[] | null = null;
  let steps = 0;
  let stoppedEarly = false;
  const batches = Math.ceil(train.length / opts.batchSize);
  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    shuffle(train, random);
    let lossSum = 0;
    let accSum = 0;
    let seen = 0;
    for (let b = 0; b < batches; b++) {
      if (opts.maxSteps !== undefined && steps >= opts.maxSteps) break;
      const idx = train.subarray(b * opts.batchSize, (b + 1) * opts.batchSize);
      const { x, y } = batchTensors(tf, data, idx, opts.augment, random);
      const r = (await model.trainOnBatch(x, y)) as number[];
      tf.dispose([x, y]);
      steps++;
      lossSum += (r[0] ?? NaN) * idx.length;
      accSum += (r[1] ?? NaN) * idx.length;
      seen += idx.length;
      opts.onBatch?.(epoch, b + 1, batches, r[0] ?? NaN, Array.from(idx));
    }
    const v =
      valCount > 0
        ? await evaluateLoss(tf, model, data, val, opts.batchSize)
        : { loss: lossSum / seen, accuracy: accSum / seen };
    const improved = v.loss < best;
    if (improved) {
      best = v.loss;
      bestEpoch = epoch;
      tf.dispose(bestWeights ?? []);
      bestWeights = model.getWeights().map((w) => w.clone());
      if (opts.checkpointDir) await saveLayersModel(tf, model, opts.checkpointDir);
    }
    const result = {
      epoch,
      loss: lossSum / Math.max(1, seen),
      accuracy: accSum / Math.max(1, seen),
      valLoss: v.loss,
      valAccuracy: v.accuracy,
      improved,
    };
    epochs.push(result);
    opts.onEpoch?.(result);
    if (opts.maxSteps !== undefined && steps >= opts.maxSteps) break;
    if (epoch - bestEpoch >= opts.patience) {
      stoppedEarly = true;
      break;
    }
  }
  if (bestWeights) {
    model.setWeights(bestWeights);
    tf.dispose(bestWeights);
  }
  return { epochs, bestEpoch, stoppedEarly, steps };
}
