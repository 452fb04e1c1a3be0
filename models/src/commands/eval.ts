import type { Command } from 'commander';
import { existsSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import {
  artifactPath,
  EmotionClassifier,
  loadManifest,
  SMALL_FACE_SHARPEN,
  type EmotionClassifierOptions,
} from '@lectern/vision';
import { renderConfusionPng } from '../eval/confusion-png';
import { evaluateCsv, evaluateCsvByFaceSize, type FaceSizeEvaluationResult, type Tta } from '../eval/evaluate';
import { ENHANCE_BELOW_PX, UPSCALES, type FaceSizeOptions, type Upscale } from '../eval/face-size';
import { renderFaceSizePng, type FaceSizeSeries } from '../eval/face-size-png';
import { formatFaceSizeTable, formatMetrics } from '../eval/metrics';
import { countFerRows } from '../fer-csv';
import { progressBar } from '../progress';

interface EvalOptions {
  model: string;
  csv: string;
  tta: string;
  json?: boolean;
  png?: string;
  facePx?: string;
  plot?: string;
  upscale: string;
  sharpen: number;
  limit?: number;
  threads: number;
  batch: number;
}

const int = (v: string): number => Number.parseInt(v, 10);

/**
 * `fp32` / `int8` pick a committed artifact, `previous` the previous release's int8 model kept for rollback;
 * anything else is a path to an ONNX file.
 */
function classifierOptions(model: string, threads: number): EmotionClassifierOptions {
  if (model === 'fp32' || model === 'int8') return { variant: model, threads };
  if (model === 'previous') return { modelPath: artifactPath('previousInt8'), threads };
  if (!existsSync(model))
    throw new Error(`--model must be fp32, int8, previous or an existing .onnx file, got "${model}"`);
  return { modelPath: model, threads };
}

/** Plot label: committed models carry their release version ("int8 0.2.0", "int8 0.1.0 (previous)"). */
function seriesName(model: string): string {
  if (model.endsWith('.onnx')) return basename(model, '.onnx');
  const manifest = loadManifest();
  if (model === 'previous') return `int8 ${manifest.previous?.version ?? '?'} (previous)`;
  return `${model} ${manifest.version}`;
}

/** `--face-px 12,16,24` -> [12, 16, 24]; integers 2..1024, no duplicates. */
export function parseFacePx(text: string): number[] {
  const sizes = text.split(',').map((t) => Number(t.trim()));
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 2 || n > 1024))
    throw new Error(`--face-px must be a comma list of integers 2..1024 (e.g. 12,16,24,32,48), got "${text}"`);
  if (new Set(sizes).size !== sizes.length) throw new Error(`--face-px lists a size twice: "${text}"`);
  return sizes;
}

/** Majority-class share of the evaluated rows (the score of always answering the largest class). */
function majorityShare(r: FaceSizeEvaluationResult): { share: number; label: string } {
  const perClass = r.bySize[0]?.perClass ?? [];
  const top = perClass.reduce((a, b) => (b.support > a.support ? b : a), perClass[0] ?? { label: '?', support: 0 });
  const share = r.rows === 0 ? 0 : top.support / r.rows;
  return { share, label: `${top.label} ${(100 * share).toFixed(1)}%` };
}

export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description('accuracy, per-class precision/recall/F1 and confusion matrix on a FER2013-format CSV(.gz)')
    .option(
      '--model <fp32|int8|previous|file.onnx>',
      'model to evaluate (previous: the release kept for rollback); with --face-px a comma list (previous,int8)',
      'int8',
    )
    .requiredOption('--csv <file>', 'FER2013-format CSV (emotion,pixels[,Usage]); .gz accepted')
    .option('--tta <none|flip>', 'test-time augmentation: average with the mirrored face', 'none')
    .option(
      '--json',
      'print one JSON object (accuracy in [0,1], per-class metrics, confusion) instead of a table; with --face-px one per model, metrics under bySize',
    )
    .option('--png <file>', 'also write the confusion matrix as a PNG plot')
    .option(
      '--face-px <sizes>',
      'simulate faces of these sizes in camera pixels (e.g. 12,16,24,32,48): area-reduce each 48x48 face, then resize to the model input as the agent does',
    )
    .option('--plot <file>', 'with --face-px: write accuracy and per-class recall against face size as a PNG')
    .option(
      '--upscale <bilinear|bicubic|area>',
      `with --face-px: how crops under ${ENHANCE_BELOW_PX} px are resized to the 64x64 input (bilinear = the agent's)`,
      'bilinear',
    )
    .option(
      '--sharpen <amount>',
      `with --face-px: unsharp mask (sigma 1 px of the 64x64 input) on crops under ${ENHANCE_BELOW_PX} px; the agent's is ${SMALL_FACE_SHARPEN.amount}, 0 = off (the agent before it)`,
      Number.parseFloat,
      SMALL_FACE_SHARPEN.amount,
    )
    .option('--limit <n>', 'evaluate only the first n valid rows', int)
    .option('--threads <n>', 'ONNX Runtime threads', int, 1)
    .option('--batch <n>', 'faces per ONNX Runtime run', int, 64)
    .action(async (o: EvalOptions) => {
      if (o.tta !== 'none' && o.tta !== 'flip') throw new Error(`--tta must be none or flip, got "${o.tta}"`);
      if (!existsSync(o.csv)) throw new Error(`CSV not found: ${o.csv}`);
      if (!(o.batch >= 1) || !(o.threads >= 1)) throw new Error('--batch and --threads must be positive integers');
      if (o.facePx !== undefined) {
        await evalByFaceSize(o, o.tta, parseFacePx(o.facePx));
        return;
      }
      if (o.plot || o.upscale !== 'bilinear' || o.sharpen !== SMALL_FACE_SHARPEN.amount)
        throw new Error('--plot, --upscale and --sharpen need --face-px');
      if (o.model.includes(',')) throw new Error('a comma list of models needs --face-px');
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

/** `eval --face-px`: each model in turn, every size in one pass over the CSV per model. */
async function evalByFaceSize(o: EvalOptions, tta: Tta, facePx: number[]): Promise<void> {
  if (o.png) throw new Error('--png draws the plain confusion matrix; with --face-px use --plot');
  if (!(UPSCALES as readonly string[]).includes(o.upscale))
    throw new Error(`--upscale must be one of ${UPSCALES.join(', ')}, got "${o.upscale}"`);
  if (!Number.isFinite(o.sharpen) || o.sharpen < 0 || o.sharpen > 10)
    throw new Error(`--sharpen must be a number in 0..10, got "${o.sharpen}"`);
  const faceSize: FaceSizeOptions = { upscale: o.upscale as Upscale, sharpen: o.sharpen };
  const enhanced = ` (under ${ENHANCE_BELOW_PX} px: ${o.upscale}${o.sharpen > 0 ? ` + sharpen ${o.sharpen}` : ', no sharpening'})`;
  const models = o.model.split(',').map((m) => m.trim());
  if (new Set(models).size !== models.length || models.some((m) => m === ''))
    throw new Error(`--model lists an empty or repeated model: "${o.model}"`);
  // On the agent's bilinear path the classifier itself sharpens small crops; elsewhere simulateFacePx does.
  const smallFaceSharpen = o.upscale === 'bilinear' ? o.sharpen : 0;
  const options = models.map((m) => ({ ...classifierOptions(m, o.threads), smallFaceSharpen }));
  const total = o.limit ?? (await countFerRows(o.csv));
  const series: FaceSizeSeries[] = [];
  let last: FaceSizeEvaluationResult | undefined;
  for (const [i, model] of models.entries()) {
    const classifier = await EmotionClassifier.create(options[i] ?? {});
    const bar = progressBar(`eval ${model}${tta === 'flip' ? ' + flip' : ''} @ ${facePx.join(',')} px`, total);
    const started = performance.now();
    let result: FaceSizeEvaluationResult;
    try {
      result = await evaluateCsvByFaceSize(classifier, o.csv, {
        facePx,
        faceSize,
        tta,
        batchSize: o.batch,
        onProgress: (n) => bar.update(n),
        ...(o.limit === undefined ? {} : { limit: o.limit }),
      });
    } finally {
      bar.stop();
      await classifier.close();
    }
    const seconds = (performance.now() - started) / 1000;
    if (i === 0) for (const bad of result.invalidRows) process.stderr.write(`skipped row ${bad.row}: ${bad.reason}\n`);
    if (o.json) {
      process.stdout.write(
        `${JSON.stringify({ model: classifier.modelId, csv: o.csv, seconds: Number(seconds.toFixed(2)), ...result })}\n`,
      );
    } else {
      process.stdout.write(
        `${classifier.modelId} on ${o.csv}${tta === 'flip' ? ' (flip TTA)' : ''}${enhanced}, ${result.rows} faces, ${seconds.toFixed(1)} s\n` +
          `${formatFaceSizeTable(result.bySize)}\n`,
      );
      const [only] = result.bySize;
      if (result.bySize.length === 1 && only) process.stdout.write(`\n${formatMetrics(only)}\n`);
      if (i === models.length - 1 && result.invalidRows.length > 0)
        process.stdout.write(`${result.invalidRows.length} malformed rows skipped (listed on stderr)\n`);
    }
    series.push({
      name: seriesName(model),
      sizes: facePx,
      accuracy: result.bySize.map((m) => m.accuracy),
      recall: result.bySize.map((m) => m.perClass.map((c) => c.recall)),
    });
    last = result;
  }
  if (o.plot && last) {
    const title = `accuracy by face size - ${basename(o.csv)} (${last.rows} faces)${tta === 'flip' ? ' +flip' : ''}${enhanced}`;
    writeFileSync(o.plot, renderFaceSizePng(series, title, majorityShare(last)));
  }
}
