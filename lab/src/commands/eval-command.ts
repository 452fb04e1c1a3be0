import { existsSync } from 'node:fs';
import { countFerRows } from '@lectern/models';
import type { Command } from 'commander';
import type { DetectionParams } from '@lectern/vision';
import { evaluateAudience, type AudienceEvalResult } from '../eval/evaluate-audience';
import { DETECTOR_FLAG_HELP, detectorFlag, positiveInt, progressBar } from '../eval/progress';
import { artifactPath, createDetector, createEmotionModel, type PipelinePartsOptions } from '@lectern/vision';

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
  facePxRange?: string;
  model: string;
  minReadablePx?: string;
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
    .option('--face-px-range <min-max>', 'faces of random sides in [min, max] px, e.g. 24-40 (a denser grid)')
    .option(
      '--model <list>',
      'emotion model(s), comma list: int8 (current), previous (kept for rollback), fp32 or an .onnx file',
      'int8',
    )
    .option('--min-readable-px <px>', "readable-size gate (default: the pipeline's)")
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
      const models = modelList(flags.model);
      const facePxRange = flags.facePxRange === undefined ? undefined : parseRange(flags.facePxRange);
      const minReadablePx =
        flags.minReadablePx === undefined ? undefined : positiveInt(flags.minReadablePx, '--min-readable-px');
      const detector = await createDetector({ ...detectorFlag(flags.detector), yunetModelPath: flags.yunetModel });
      const total = Math.min(limit ?? Infinity, await countFerRows(flags.csv));
      try {
        for (const m of models) {
          const model = await createEmotionModel(m.options);
          const bar = progressBar(`eval ${m.name}`, total, 'faces');
          const started = performance.now();
          try {
            const result = await evaluateAudience(flags.csv, detector, model, {
              limit,
              cropMargin,
              detection,
              seed: positiveInt(flags.seed, '--seed'),
              ...(flags.facePx === undefined ? {} : { facePx: positiveInt(flags.facePx, '--face-px') }),
              ...(facePxRange ? { facePxRange } : {}),
              ...(minReadablePx === undefined ? {} : { minReadablePx }),
              ...(flags.align ? { align: true } : {}),
              onProgress: (n) => bar.update(n),
            }).finally(() => bar.stop());
            const seconds = Math.round((performance.now() - started) / 100) / 10;
            console.log(
              flags.json
                ? JSON.stringify({ model: m.name, modelId: model.modelId, ...result, seconds })
                : `model ${m.name} (${model.modelId})\n${formatReport(result, seconds)}\n`,
            );
          } finally {
            await model.close();
          }
        }
      } finally {
        detector.dispose();
      }
    });
}

/** `--model int8,previous` -> the classifiers to load, each run on the same scenes (same seed). */
function modelList(text: string): { name: string; options: PipelinePartsOptions }[] {
  const names = text.split(',').map((t) => t.trim());
  if (names.some((n) => n === '') || new Set(names).size !== names.length)
    throw new Error(`--model lists an empty or repeated model: "${text}"`);
  return names.map((name) => {
    if (name === 'int8' || name === 'fp32') return { name, options: { variant: name } };
    if (name === 'previous') return { name, options: { modelPath: artifactPath('previousInt8') } };
    if (!existsSync(name)) throw new Error(`--model: "${name}" is not int8, previous, fp32 or an existing .onnx file`);
    return { name, options: { modelPath: name } };
  });
}

/** "24-40" -> { min: 24, max: 40 }. */
export function parseRange(text: string): { min: number; max: number } {
  const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(text);
  const min = Number(m?.[1]);
  const max = Number(m?.[2]);
  if (!m || !(min >= 4 && max >= min && max <= 1000))
    throw new Error(`--face-px-range must look like 24-40 (integers, 4 <= min <= max), got "${text}"`);
  return { min, max };
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

function faceSizes(l: AudienceEvalResult['layout']): string {
  if (l.sizeJitter === 0) return `${l.faceSize} px`;
  return `${Math.round(l.faceSize * (1 - l.sizeJitter))}-${Math.round(l.faceSize * (1 + l.sizeJitter))} px`;
}

function pct(v: number): string {
  return `${(v * 100).toFixed(2)}%`;
}

function formatReport(r: AudienceEvalResult, seconds: number): string {
  const d = r.detection;
  return [
    `${r.faces} faces in ${r.scenes} composed ${r.layout.width}x${r.layout.height} scenes (${r.layout.cols}x${r.layout.rows} seats, faces ${faceSizes(r.layout)})`,
    `detector ${r.detector}: scaleFactor ${d.scaleFactor}, minNeighbors ${d.minNeighbors}, faces ${d.minFacePx}-${d.maxFacePx} px; ${r.detectMsPerScene.toFixed(0)} ms/scene`,
    `detection recall   ${pct(r.recall)} (${r.detected}/${r.faces}, IoU >= ${r.matchMinIou}), ${r.falsePositives} false positives`,
    `readable-size gate ${r.gate.minReadablePx} px: ${r.gate.read} read, ${r.gate.unread} too small to read (composed below ${r.gate.minReadablePx} px: ${r.gate.trulyBelow})`,
    `  gate vs true size: agree on ${pct(r.gate.agreement)} of faces, ${pct(r.gate.agreementClear)} of those 20 % or more from the threshold; box/face side ${r.gate.boxToFaceRatio.toFixed(2)}`,
    `pipeline accuracy  ${pct(r.accuracy)} on read faces (crop margin ${r.cropMargin}${r.align ? ', aligned' : ''})`,
    ...(r.gate.unreadAccuracyIfRead === null
      ? []
      : [`unread faces       ${pct(r.gate.unreadAccuracyIfRead)} had they been classified anyway`]),
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
