import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { EmotionClassifier } from '@lectern/vision';
import { evaluateCsv, evaluateCsvByFaceSize, type Tta } from '../eval/evaluate';
import { countFerRows, readFerCsv } from '../fer-csv';
import { modelCost } from '../ir/ir';
import { LABELS } from '@lectern/vision';
import type { ArtifactEntry, ModelManifest } from '@lectern/vision';
import { readableFromPx, toModelInput, type GrayImage } from '@lectern/vision';
import { ONNX_OPSET } from '../onnx/write-fp32';
import { ARTIFACT_FILES, ARTIFACTS_DIR } from '@lectern/vision';
import { fer2013Dir } from '../paths';
import { progressBar } from '../progress';
import { CALIBRATION_SIZE_MIX, mixFaceSizes } from '../quantize/calibration-faces';
import { DEFAULT_QUANTIZE_SETTINGS, quantizeModel } from '../quantize/quantize-model';
import { CURRENT_RELEASE, PREVIOUS_RELEASE, readTrainingLog } from '../release';
import {
  convertSourceToOnnx,
  loadSourceModel,
  MODEL_NAME,
  onnxWriteOptions,
  PREPROCESSING,
  type SourceModel,
} from './convert-source';
import { sha256, sha256File } from './sha256';

export const DEFAULT_CASCADE = '/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml';
/** The first rows of FER2013 Training: real faces, never part of the PublicTest evaluation. */
export const CALIBRATION_ROWS = 2000;

export interface BuildOptions {
  outDir?: string;
  cascadeSource?: string;
  calibrationCsv?: string;
  calibrationRows?: number;
  evalCsv?: string;
  /** Skip the PublicTest evaluation (accuracies are then copied from the committed manifest). */
  skipEval?: boolean;
  log?: (line: string) => void;
}

function entry(dir: string, file: string): ArtifactEntry {
  const path = join(dir, file);
  return { file, sha256: sha256File(path), bytes: statSync(path).size };
}

/** The face sizes the manifest records accuracy at (the curve in models/README.md). */
export const MANIFEST_FACE_PX = [12, 16, 24, 32, 48] as const;

async function accuracy(
  modelPath: string,
  csv: string,
  tta: Tta,
  label: string,
): Promise<{ accuracy: number; rows: number }> {
  const classifier = await EmotionClassifier.create({ modelPath, threads: 2 });
  const bar = progressBar(label, await countFerRows(csv));
  try {
    const r = await evaluateCsv(classifier, csv, { tta, onProgress: (n) => bar.update(n) });
    return { accuracy: Number(r.accuracy.toFixed(4)), rows: r.rows };
  } finally {
    bar.stop();
    await classifier.close();
  }
}

async function accuracyByFacePx(modelPath: string, csv: string, label: string): Promise<Record<string, number>> {
  const classifier = await EmotionClassifier.create({ modelPath, threads: 2 });
  const bar = progressBar(label, await countFerRows(csv));
  try {
    const r = await evaluateCsvByFaceSize(classifier, csv, {
      facePx: MANIFEST_FACE_PX,
      onProgress: (n) => bar.update(n),
    });
    return Object.fromEntries(r.bySize.map((m) => [String(m.facePx), Number(m.accuracy.toFixed(4))]));
  } finally {
    bar.stop();
    await classifier.close();
  }
}

async function quantizeRelease(source: SourceModel, images: GrayImage[], path: string, label: string): Promise<void> {
  const bar = progressBar(label, 2 * images.length);
  const int8 = await quantizeModel(
    source.ir,
    toModelInput(images),
    images.length,
    DEFAULT_QUANTIZE_SETTINGS,
    onnxWriteOptions(source, 'int8 QDQ'),
    (pass, done) => bar.update((pass - 1) * images.length + done),
  );
  bar.stop();
  writeFileSync(path, int8);
}

/**
 * Regenerates every committed artifact from its sources: the current release's fp32 ONNX (the npm package's
 * graph with the fine-tuned weights of models/weights) and its int8 ONNX calibrated on FER2013 training rows,
 * the previous release's int8 ONNX (kept for rollback), the Haar cascade from Debian's opencv-data, and the
 * manifest with PublicTest accuracies. No timestamps or absolute paths go into any file, so two runs on the
 * same machine give byte-identical results.
 */
export async function buildArtifacts(opts: BuildOptions = {}): Promise<ModelManifest> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const outDir = opts.outDir ?? ARTIFACTS_DIR;
  const data = fer2013Dir();
  const calibrationCsv = opts.calibrationCsv ?? join(data, 'train.csv.gz');
  const evalCsv = opts.evalCsv ?? join(data, 'publictest.csv');
  const cascadeSource = opts.cascadeSource ?? DEFAULT_CASCADE;
  for (const [what, path] of [
    ['cascade', cascadeSource],
    ['calibration CSV', calibrationCsv],
    ['fine-tuned weights', CURRENT_RELEASE.weights ?? ''],
  ] as const) {
    if (!existsSync(path)) throw new Error(`${what} not found: ${path}`);
  }
  mkdirSync(outDir, { recursive: true });
  const release = CURRENT_RELEASE;
  const version = release.version;

  const source = loadSourceModel(release);
  const previousSource = loadSourceModel(PREVIOUS_RELEASE, source.location);
  const fp32Path = join(outDir, ARTIFACT_FILES.fp32);
  writeFileSync(fp32Path, convertSourceToOnnx(source));
  log(`wrote ${fp32Path}`);

  copyFileSync(cascadeSource, join(outDir, ARTIFACT_FILES.cascade));
  log(`copied ${cascadeSource}`);

  const calibrationRows = opts.calibrationRows ?? CALIBRATION_ROWS;
  const images: GrayImage[] = [];
  for await (const row of readFerCsv(calibrationCsv, { limit: calibrationRows })) images.push(row.image);
  const int8Path = join(outDir, ARTIFACT_FILES.int8);
  // The current release reads small faces, so it is calibrated on faces of the sizes it reads.
  await quantizeRelease(source, mixFaceSizes(images), int8Path, `calibrating int8 ${version}`);
  log(`wrote ${int8Path} (calibrated on ${images.length} rows of ${basename(calibrationCsv)}, mixed face sizes)`);
  const previousPath = join(outDir, ARTIFACT_FILES.previousInt8);
  await quantizeRelease(previousSource, images, previousPath, `calibrating int8 ${PREVIOUS_RELEASE.version}`);
  log(`wrote ${previousPath} (release ${PREVIOUS_RELEASE.version}, kept for rollback)`);

  // The committed manifest, whose accuracies --skip-eval carries over.
  const committedManifest = join(ARTIFACTS_DIR, ARTIFACT_FILES.manifest);
  const previous = existsSync(committedManifest)
    ? (JSON.parse(readFileSync(committedManifest, 'utf8')) as Partial<ModelManifest>)
    : {};
  const scores = { fp32: { plain: 0, flip: 0 }, int8: { plain: 0, flip: 0 }, previous: { plain: 0, flip: 0 } };
  let bySize: Record<string, number> = previous.accuracyByFacePx ?? {};
  let previousBySize: Record<string, number> = previous.previous?.accuracyByFacePx ?? {};
  let evalRows = previous.evaluation?.rows ?? 0;
  if (opts.skipEval) {
    for (const v of ['fp32', 'int8'] as const) {
      scores[v] = {
        plain: previous.variants?.[v]?.publicTestAccuracy ?? 0,
        flip: previous.variants?.[v]?.publicTestAccuracyTtaFlip ?? 0,
      };
    }
    scores.previous = {
      plain: previous.previous?.publicTestAccuracy ?? 0,
      flip: previous.previous?.publicTestAccuracyTtaFlip ?? 0,
    };
  } else {
    if (!existsSync(evalCsv)) throw new Error(`evaluation CSV not found: ${evalCsv}`);
    for (const [v, path] of [
      ['fp32', fp32Path],
      ['int8', int8Path],
      ['previous', previousPath],
    ] as const) {
      const plain = await accuracy(path, evalCsv, 'none', `eval ${v}`);
      const flip = await accuracy(path, evalCsv, 'flip', `eval ${v} + flip`);
      scores[v] = { plain: plain.accuracy, flip: flip.accuracy };
      evalRows = plain.rows;
      log(`${v}: PublicTest accuracy ${plain.accuracy}, with flip TTA ${flip.accuracy}`);
    }
    bySize = await accuracyByFacePx(int8Path, evalCsv, `eval int8 by face px`);
    previousBySize = await accuracyByFacePx(previousPath, evalCsv, `eval previous by face px`);
    log(`int8 by face px ${JSON.stringify(bySize)}; previous ${JSON.stringify(previousBySize)}`);
  }

  const cost = modelCost(source.ir);
  const s = DEFAULT_QUANTIZE_SETTINGS;
  const int8Notes =
    `static QDQ: uint8 activations (${s.percentile} percentile calibration on the first ${images.length} FER2013 Training rows, ` +
    `${100 * CALIBRATION_SIZE_MIX.reducedShare} % of them reduced to ${CALIBRATION_SIZE_MIX.minPx}-${CALIBRATION_SIZE_MIX.maxPx} px as the agent reads them), ` +
    `per-channel symmetric int8 weights (${s.convWeightBits}-bit regular convs, ${s.depthwiseWeightBits}-bit depthwise)` +
    `${s.biasCorrection ? ' with bias correction' : ''}, int32 biases; ` +
    `${s.floatEnds ? 'first (image) and last (logit) convolutions and ' : ''}the pooling head stay fp32`;
  const trainingLog = readTrainingLog(release);
  const manifest: ModelManifest = {
    name: MODEL_NAME,
    version,
    modelId: `${MODEL_NAME}@${version}`,
    labels: [...LABELS],
    input: {
      name: source.ir.input.name,
      shape: ['N', ...source.ir.input.shape],
      layout: 'NCHW',
      dtype: 'float32',
      colorSpace: 'grayscale',
      preprocessing: PREPROCESSING,
    },
    output: { name: source.ir.output, shape: ['N', LABELS.length], activation: 'softmax' },
    architecture: {
      family: 'big_XCEPTION (mini-Xception family)',
      parameters: cost.parameters,
      macsPerImage: cost.macs,
      onnxOpset: ONNX_OPSET,
    },
    source: {
      upstream: 'https://github.com/oarriaga/face_classification (big_XCEPTION, FER2013)',
      upstreamLicense: 'MIT',
      package: '@vladmandic/human',
      packageVersion: source.location.packageVersion,
      files: [
        entry(join(source.location.packageDir, 'models'), 'emotion.json'),
        entry(join(source.location.packageDir, 'models'), 'emotion.bin'),
      ],
      trainingData: 'FER2013 (Goodfellow et al. 2013), 28,709 48x48 grayscale web images, 7 classes',
    },
    evaluation: { dataset: 'FER2013 PublicTest', rows: evalRows },
    variants: {
      fp32: {
        ...entry(outDir, ARTIFACT_FILES.fp32),
        publicTestAccuracy: scores.fp32.plain,
        publicTestAccuracyTtaFlip: scores.fp32.flip,
        notes: `exact conversion of the TF.js graph with ${release.weights ? basename(release.weights) : 'its own weights'}`,
      },
      int8: {
        ...entry(outDir, ARTIFACT_FILES.int8),
        publicTestAccuracy: scores.int8.plain,
        publicTestAccuracyTtaFlip: scores.int8.flip,
        notes: int8Notes,
      },
    },
    accuracyByFacePx: bySize,
    minReadablePx: readableFromPx(bySize),
    ...(release.weights && trainingLog
      ? {
          training: {
            recipe: `models/python/finetune_resolution.py (${release.summary})`,
            weights: entry(dirname(release.weights), basename(release.weights)),
            selectedEpoch: trainingLog.selected.epoch,
            holdout: trainingLog.epochs.find((e) => e.epoch === trainingLog.selected.epoch)?.holdout ?? {},
          },
        }
      : {}),
    previous: {
      ...entry(outDir, ARTIFACT_FILES.previousInt8),
      version: PREVIOUS_RELEASE.version,
      modelId: `${MODEL_NAME}@${PREVIOUS_RELEASE.version}`,
      publicTestAccuracy: scores.previous.plain,
      publicTestAccuracyTtaFlip: scores.previous.flip,
      accuracyByFacePx: previousBySize,
      notes: `${PREVIOUS_RELEASE.summary}; int8 as above, calibrated on the same rows at 48 px`,
    },
    cascade: {
      ...entry(outDir, ARTIFACT_FILES.cascade),
      source: `Debian opencv-data ${cascadeSource}`,
      license: 'Intel License Agreement for Open Source Computer Vision Library (BSD-style; header kept in the file)',
    },
  };
  writeFileSync(join(outDir, ARTIFACT_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  log(
    `wrote ${join(outDir, ARTIFACT_FILES.manifest)} (sha256 ${sha256(readFileSync(join(outDir, ARTIFACT_FILES.manifest)))})`,
  );
  return manifest;
}
