import { readFerCsv, type FerCsvRowError } from '../fer-csv';
import { MODEL_INPUT_SIZE, toModelInput } from '@lectern/vision';
import type { GrayImage } from '@lectern/vision';
import type { TrainingData } from './train-loop';

/**
 * Reads a FER2013-format CSV(.gz) into preprocessed 64x64 inputs. With one channel the NCHW buffer
 * of toModelInput is also the NHWC buffer TF.js wants. Malformed rows are reported and skipped.
 */
export async function loadTrainingData(
  csv: string,
  opts: { usage?: string; limit?: number; onInvalidRow?: (e: FerCsvRowError) => void } = {},
): Promise<TrainingData> {
  const images: GrayImage[] = [];
  const labels: number[] = [];
  for await (const row of readFerCsv(csv, opts)) {
    images.push(row.image);
    labels.push(row.label);
  }
  if (images.length === 0) throw new Error(`${csv}: no usable rows${opts.usage ? ` with Usage ${opts.usage}` : ''}`);
  return {
    images: toModelInput(images),
    labels: Uint8Array.from(labels),
    count: images.length,
    size: MODEL_INPUT_SIZE,
  };
}
