import type { EmotionClassifier } from '@lectern/vision';
import { FerCsvRowError, readFerCsv } from '../fer-csv';
import { flipHorizontal, type GrayImage } from '@lectern/vision';
import { argmax, ConfusionMatrix, type EvaluationMetrics } from './metrics';
import { simulateFacePx, type FaceSizeOptions } from './face-size';

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

export interface FaceSizeEvaluateOptions extends EvaluateOptions {
  /** Face sizes in camera pixels to simulate (see simulateFacePx); each row is classified at every size. */
  facePx: readonly number[];
  /** How the small crop reaches the network (defaults: the agent's bilinear resize, no sharpening). */
  faceSize?: FaceSizeOptions;
}

export interface FaceSizeMetrics extends EvaluationMetrics {
  facePx: number;
}

export interface FaceSizeEvaluationResult {
  tta: Tta;
  /** Valid rows evaluated (the same rows at every size). */
  rows: number;
  faceSize: Required<Pick<FaceSizeOptions, 'upscale' | 'sharpen'>>;
  bySize: FaceSizeMetrics[];
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

/**
 * Shared loop: every valid row goes through each view (a face transform) and into that view's confusion
 * matrix; malformed rows are listed, not fatal.
 */
async function evaluateViews(
  classifier: EmotionClassifier,
  csvPath: string,
  views: readonly ((face: GrayImage) => GrayImage)[],
  opts: EvaluateOptions,
): Promise<{ matrices: ConfusionMatrix[]; invalidRows: { row: number; reason: string }[] }> {
  const tta = opts.tta ?? 'none';
  const batchSize = opts.batchSize ?? 64;
  const matrices = views.map(() => new ConfusionMatrix());
  const invalidRows: { row: number; reason: string }[] = [];
  let labels: number[] = [];
  let images: GrayImage[] = [];
  let done = 0;
  const flush = async (): Promise<void> => {
    for (let v = 0; v < views.length; v++) {
      const view = views[v] ?? ((f: GrayImage) => f);
      const matrix = matrices[v] ?? new ConfusionMatrix();
      const probs = await classifyBatch(classifier, images.map(view), tta);
      probs.forEach((p, i) => matrix.add(labels[i] ?? 0, argmax(p)));
    }
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
  return { matrices, invalidRows };
}

/** Classifies every valid row of a FER2013-format CSV; malformed rows are listed, not fatal. */
export async function evaluateCsv(
  classifier: EmotionClassifier,
  csvPath: string,
  opts: EvaluateOptions = {},
): Promise<EvaluationResult> {
  const { matrices, invalidRows } = await evaluateViews(classifier, csvPath, [(f) => f], opts);
  return { ...(matrices[0] ?? new ConfusionMatrix()).metrics(), tta: opts.tta ?? 'none', invalidRows };
}

/**
 * Accuracy by face size: every valid row is reduced to each of `facePx` camera pixels and classified the
 * way the agent classifies a face crop of that size (see simulateFacePx), in one pass over the CSV.
 */
export async function evaluateCsvByFaceSize(
  classifier: EmotionClassifier,
  csvPath: string,
  opts: FaceSizeEvaluateOptions,
): Promise<FaceSizeEvaluationResult> {
  if (opts.facePx.length === 0) throw new Error('evaluateCsvByFaceSize: no face sizes');
  const faceSize = opts.faceSize ?? {};
  const views = opts.facePx.map((n) => (face: GrayImage) => simulateFacePx(face, n, faceSize));
  const { matrices, invalidRows } = await evaluateViews(classifier, csvPath, views, opts);
  const bySize = opts.facePx.map((facePx, i) => ({ facePx, ...(matrices[i] ?? new ConfusionMatrix()).metrics() }));
  return {
    tta: opts.tta ?? 'none',
    rows: bySize[0]?.rows ?? 0,
    faceSize: { upscale: faceSize.upscale ?? 'bilinear', sharpen: faceSize.sharpen ?? 0 },
    bySize,
    invalidRows,
  };
}
