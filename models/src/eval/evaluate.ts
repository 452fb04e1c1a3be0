import type { EmotionClassifier } from '../classifier';
import { FerCsvRowError, readFerCsv } from '../fer-csv';
import { flipHorizontal, type GrayImage } from '../gray-image';
import { argmax, ConfusionMatrix, type EvaluationMetrics } from './metrics';

export type Tta = 'none' | 'flip';

export interface EvaluateOptions {
  tta?: Tta;
  batchSize?: number;
  limit?: number;
  /** Called after every batch with the rows done so far. */
  onProgress?: (rowsDone: number) => void;
}

export interface EvaluationResult extends EvaluationMetrics {
  tta: Tta;
  invalidRows: { row: number; reason: string }[];
}

/**
 * Geometric mean of the softmax vectors of each face and its mirror image, renormalised: the same as
 * averaging logits, so one confident view is not washed out by an arithmetic mean.
 */
export function combineFlipPredictions(a: Float32Array, b: Float32Array): Float32Array {
  const g = a.map((v, k) => Math.sqrt(v * (b[k] ?? 0)));
  const sum = g.reduce((s, v) => s + v, 0);
  return sum > 0 ? g.map((v) => v / sum) : a.map((v, k) => (v + (b[k] ?? 0)) / 2);
}

async function classifyBatch(classifier: EmotionClassifier, images: GrayImage[], tta: Tta): Promise<Float32Array[]> {
  if (tta === 'none') return classifier.classify(images);
  const probs = await classifier.classify([...images, ...images.map(flipHorizontal)]);
  return images.map((_, i) =>
    combineFlipPredictions(probs[i] ?? new Float32Array(), probs[i + images.length] ?? new Float32Array()),
  );
}

/** Classifies every valid row of a FER2013-format CSV; malformed rows are listed, not fatal. */
export async function evaluateCsv(
  classifier: EmotionClassifier,
  csvPath: string,
  opts: EvaluateOptions = {},
): Promise<EvaluationResult> {
  const tta = opts.tta ?? 'none';
  const batchSize = opts.batchSize ?? 64;
  const matrix = new ConfusionMatrix();
  const invalidRows: { row: number; reason: string }[] = [];
  let labels: number[] = [];
  let images: GrayImage[] = [];
  let done = 0;
  const flush = async (): Promise<void> => {
    const probs = await classifyBatch(classifier, images, tta);
    probs.forEach((p, i) => matrix.add(labels[i] ?? 0, argmax(p)));
    done += images.length;
    labels = [];
    images = [];
    opts.onProgress?.(done);
  };
  const rows = readFerCsv(csvPath, {
    onInvalidRow: (e: FerCsvRowError) => invalidRows.push({ row: e.row, reason: e.reason }),
    ...(opts.limit === undefined ? {} : { limit: opts.limit }),
  });
  for await (const row of rows) {
    labels.push(row.label);
    images.push(row.image);
    if (images.length >= batchSize) await flush();
  }
  if (images.length > 0) await flush();
  return { ...matrix.metrics(), tta, invalidRows };
}
