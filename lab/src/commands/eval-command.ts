import { existsSync } from 'node:fs';
import { countFerRows } from '@lectern/models';
import type { Command } from 'commander';
import type { DetectionParams } from '@lectern/vision';
import { evaluateAudience, type AudienceEvalResult } from '../eval/evaluate-audience';
import { DETECTOR_FLAG_HELP, detectorFlag, positiveInt, progressBar } from '../eval/progress';
import { createDetector, createEmotionModel } from '@lectern/vision';

interface EvalFlags {
  csv: string;
  json?: boolean;
  limit?: string;
  detector: string;
  cropMargin?: string;
  seed: string;
  scaleFactor?: string;
  minNeighbors?: string;
  minFace?: string;
  maxFace?: string;
  rotations?: string;
  facePx?: string;
  align?: boolean;
  scoreThreshold?: string;
  upscale?: string;
  yunetModel?: string;
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description(
      'compose lecture-hall frames from FER2013 rows, run the device pipeline, report detection recall and emotion accuracy',
    )
    .requiredOption('--csv <file>', 'FER2013-format CSV (emotion,pixels[,Usage]), .csv or .csv.gz')
    .option('--json', 'print one JSON object instead of the text report')
    .option('--limit <n>', 'only the first N faces')
    .option('--detector <kind>', DETECTOR_FLAG_HELP, 'yunet')
    .option('--face-px <px>', 'side of each face in the scene (default 112; lecture halls: 15-40)')
    .option('--score-threshold <s>', "YuNet score threshold (default: the agent's)")
    .option('--upscale <f>', 'YuNet: detect on the frame enlarged by f (>= 1) for tiny faces')
    .option('--yunet-model <file>', 'another YuNet ONNX export (e.g. yunet_s) instead of the shipped one')
    .option('--align', 'align faces on the landmark template before classifying (YuNet)')
    .option('--crop-margin <share>', "face crop margin (default: the pipeline's)")
    .option('--seed <n>', 'scene layout seed', '2019')
    .option('--scale-factor <f>', 'Haar pyramid step (default: tuned for the composed scenes)')
    .option('--min-neighbors <n>', 'Haar minNeighbors')
    .option('--min-face <px>', 'smallest face side in scene pixels')
    .option('--max-face <px>', 'largest face side in scene pixels')
    .option(
      '--rotations <degrees>',
      'extra in-plane detection passes, e.g. "-30,30"; "" for upright only (default: -30,30)',
    )
    .action(async (flags: EvalFlags) => {
      if (!existsSync(flags.csv)) throw new Error(`--csv: no such file ${flags.csv}`);
      const limit = flags.limit === undefined ? undefined : positiveInt(flags.limit, '--limit');
      const cropMargin = flags.cropMargin === undefined ? undefined : Number(flags.cropMargin);
      if (cropMargin !== undefined && !(cropMargin >= -0.3 && cropMargin <= 1))
        throw new Error(`--crop-margin must be a number in [-0.3, 1], got "${flags.cropMargin}"`);
      const detection = detectionFlags(flags);
      const detector = await createDetector({ ...detectorFlag(flags.detector), yunetModelPath: flags.yunetModel });
      const model = await createEmotionModel();
      const total = Math.min(limit ?? Infinity, await countFerRows(flags.csv));
      const bar = progressBar('eval', total, 'faces');
      const started = performance.now();
      try {
        const result = await evaluateAudience(flags.csv, detector, model, {
          limit,
          cropMargin,
          detection,
          seed: positiveInt(flags.seed, '--seed'),
          ...(flags.facePx === undefined ? {} : { facePx: positiveInt(flags.facePx, '--face-px') }),
          ...(flags.align ? { align: true } : {}),
          onProgress: (n) => bar.update(n),
        }).finally(() => bar.stop());
        const seconds = Math.round((performance.now() - started) / 100) / 10;
        console.log(flags.json ? JSON.stringify({ ...result, seconds }) : formatReport(result, seconds));
      } finally {
        detector.dispose();
        await model.close();
      }
    });
}

function detectionFlags(flags: EvalFlags): Partial<DetectionParams> {
  const out: Partial<DetectionParams> = {};
  if (flags.scaleFactor !== undefined) {
    const v = Number(flags.scaleFactor);
    if (!(v > 1 && v < 2)) throw new Error(`--scale-factor must be a number in (1, 2), got "${flags.scaleFactor}"`);
    out.scaleFactor = v;
  }
  if (flags.minNeighbors !== undefined) out.minNeighbors = positiveInt(flags.minNeighbors, '--min-neighbors');
  if (flags.minFace !== undefined) out.minFacePx = positiveInt(flags.minFace, '--min-face');
  if (flags.maxFace !== undefined) out.maxFacePx = positiveInt(flags.maxFace, '--max-face');
  if (flags.rotations !== undefined) out.rotations = rotationList(flags.rotations);
  if (flags.scoreThreshold !== undefined) {
    const v = Number(flags.scoreThreshold);
    if (!(v > 0 && v <= 1))
      throw new Error(`--score-threshold must be a number in (0, 1], got "${flags.scoreThreshold}"`);
    out.scoreThreshold = v;
  }
  if (flags.upscale !== undefined) {
    const v = Number(flags.upscale);
    if (!(v >= 1 && v <= 4)) throw new Error(`--upscale must be a number in [1, 4], got "${flags.upscale}"`);
    out.upscale = v;
  }
  return out;
}

function rotationList(text: string): number[] {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  return parts.map((p) => {
    const v = Number(p);
    if (!Number.isFinite(v) || Math.abs(v) > 90) throw new Error(`--rotations: "${p}" is not an angle in [-90, 90]`);
    return v;
  });
}

function pct(v: number): string {
  return `${(v * 100).toFixed(2)}%`;
}

function formatReport(r: AudienceEvalResult, seconds: number): string {
  const d = r.detection;
  return [
    `${r.faces} faces in ${r.scenes} composed ${r.layout.width}x${r.layout.height} scenes (${r.layout.cols}x${r.layout.rows} seats, faces ~${r.layout.faceSize} px)`,
    `detector ${r.detector}: scaleFactor ${d.scaleFactor}, minNeighbors ${d.minNeighbors}, faces ${d.minFacePx}-${d.maxFacePx} px; ${r.detectMsPerScene.toFixed(0)} ms/scene`,
    `detection recall   ${pct(r.recall)} (${r.detected}/${r.faces}, IoU >= ${r.matchMinIou}), ${r.falsePositives} false positives`,
    `pipeline accuracy  ${pct(r.accuracy)} on detected faces (crop margin ${r.cropMargin}${r.align ? ', aligned' : ''})`,
    `tight-crop accuracy ${pct(r.tightCropAccuracy)} on the same faces (${pct(r.tightCropAccuracyAll)} on all faces)`,
    `gap ${((r.tightCropAccuracy - r.accuracy) * 100).toFixed(2)} pt`,
    ...(r.invalidRows.length
      ? [
          `${r.invalidRows.length} malformed rows skipped (first: row ${r.invalidRows[0]!.row}: ${r.invalidRows[0]!.reason})`,
        ]
      : []),
    `${seconds} s`,
  ].join('\n');
}
