import type { Command } from 'commander';
import { existsSync, writeFileSync } from 'node:fs';
import { EmotionClassifier, type EmotionClassifierOptions } from '../classifier';
import { renderConfusionPng } from '../eval/confusion-png';
import { evaluateCsv } from '../eval/evaluate';
import { formatMetrics } from '../eval/metrics';
import { countFerRows } from '../fer-csv';
import { progressBar } from '../progress';

interface EvalOptions {
  model: string;
  csv: string;
  tta: string;
  json?: boolean;
  png?: string;
  limit?: number;
  threads: number;
  batch: number;
}

const int = (v: string): number => Number.parseInt(v, 10);

/** `fp32` / `int8` pick a committed artifact; anything else is a path to an ONNX file. */
function classifierOptions(model: string, threads: number): EmotionClassifierOptions {
  if (model === 'fp32' || model === 'int8') return { variant: model, threads };
  if (!existsSync(model)) throw new Error(`--model must be fp32, int8 or an existing .onnx file, got "${model}"`);
  return { modelPath: model, threads };
}

export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description('accuracy, per-class precision/recall/F1 and confusion matrix on a FER2013-format CSV(.gz)')
    .option('--model <fp32|int8|file.onnx>', 'model to evaluate', 'int8')
    .requiredOption('--csv <file>', 'FER2013-format CSV (emotion,pixels[,Usage]); .gz accepted')
    .option('--tta <none|flip>', 'test-time augmentation: average with the mirrored face', 'none')
    .option('--json', 'print one JSON object (accuracy in [0,1], per-class metrics, confusion) instead of a table')
    .option('--png <file>', 'also write the confusion matrix as a PNG plot')
    .option('--limit <n>', 'evaluate only the first n valid rows', int)
    .option('--threads <n>', 'ONNX Runtime threads', int, 1)
    .option('--batch <n>', 'faces per ONNX Runtime run', int, 64)
    .action(async (o: EvalOptions) => {
      if (o.tta !== 'none' && o.tta !== 'flip') throw new Error(`--tta must be none or flip, got "${o.tta}"`);
      if (!existsSync(o.csv)) throw new Error(`CSV not found: ${o.csv}`);
      if (!(o.batch >= 1) || !(o.threads >= 1)) throw new Error('--batch and --threads must be positive integers');
      const classifier = await EmotionClassifier.create(classifierOptions(o.model, o.threads));
      const total = o.limit ?? (await countFerRows(o.csv));
      const bar = progressBar(`eval ${o.model}${o.tta === 'flip' ? ' + flip' : ''}`, total);
      const started = performance.now();
      let result;
      try {
        result = await evaluateCsv(classifier, o.csv, {
          tta: o.tta,
          batchSize: o.batch,
          onProgress: (n) => bar.update(n),
          ...(o.limit === undefined ? {} : { limit: o.limit }),
        });
      } finally {
        bar.stop();
        await classifier.close();
      }
      const seconds = (performance.now() - started) / 1000;
      for (const bad of result.invalidRows) process.stderr.write(`skipped row ${bad.row}: ${bad.reason}\n`);
      if (o.png)
        writeFileSync(
          o.png,
          renderConfusionPng(
            result.confusion,
            `${o.model} ${o.tta === 'flip' ? '+flip ' : ''}acc ${(100 * result.accuracy).toFixed(1)}%`,
          ),
        );
      if (o.json) {
        process.stdout.write(
          `${JSON.stringify({ model: classifier.modelId, csv: o.csv, seconds: Number(seconds.toFixed(2)), ...result })}\n`,
        );
      } else {
        process.stdout.write(
          `${classifier.modelId} on ${o.csv}${o.tta === 'flip' ? ' (flip TTA)' : ''}, ${seconds.toFixed(1)} s\n${formatMetrics(result)}\n`,
        );
        if (result.invalidRows.length > 0)
          process.stdout.write(`${result.invalidRows.length} malformed rows skipped (listed on stderr)\n`);
      }
    });
}
