import type { Command } from 'commander';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CALIBRATION_ROWS } from '../build/build-artifacts';
import { tfjsGraphToIr } from '../convert/tfjs-graph-to-ir';
import { readFerCsv } from '../fer-csv';
import type { GrayImage } from '@lectern/vision';
import { toModelInput } from '@lectern/vision';
import { fer2013Dir } from '../paths';
import { progressBar } from '../progress';
import { DEFAULT_QUANTIZE_SETTINGS, quantizeModel } from '../quantize/quantize-model';
import {
  DEFAULT_YUNET_CALIBRATION_SCALES,
  DEFAULT_YUNET_QUANTIZE_SETTINGS,
  DEVSET_IMAGES_DIR,
  FP32_YUNET_PATH,
  quantizeYunet,
  yunetCalibrationFrames,
} from '../quantize/quantize-yunet';
import { mixFaceSizes } from '../quantize/calibration-faces';
import { locateSourceModel } from '../source-model';
import { readTfjsGraphModel } from '../tfjs/graph-model-files';

const int = (v: string): number => Number.parseInt(v, 10);

interface QuantizeFlags {
  model?: string;
  weights?: string;
  mixedSizes?: boolean;
  calibration: string;
  rows: number;
  percentile: number;
  convBits: number;
  depthwiseBits: number;
  allInt8?: boolean;
  biasCorrection: boolean;
  out?: string;
  output?: string;
  input?: string;
  images: string;
  scales: string;
  floatHeads?: boolean;
  floatConvs?: string;
}

export function registerQuantizeCommand(program: Command): void {
  program
    .command('quantize')
    .description(
      'static int8 QDQ quantization: the emotion model (TF.js graph, calibrated on FER2013-format faces) or, with ' +
        '--model yunet, the YuNet face detector ONNX (calibrated on the development-set photos)',
    )
    .option(
      '--model <model.json|yunet>',
      'TF.js graph model (default: @vladmandic/human models/emotion.json), or "yunet" for the face detector',
    )
    .option('--weights <file.bin>', "emotion model: weights replacing the graph's shards (models/weights/*.bin)")
    .option(
      '--mixed-sizes',
      'emotion model: calibrate on faces reduced to 12-47 px as the agent reads them (as build does)',
    )
    .option('--calibration <csv>', 'calibration faces, FER2013 CSV(.gz)', join(fer2013Dir(), 'train.csv.gz'))
    .option('--rows <n>', 'calibration rows', int, CALIBRATION_ROWS)
    .option(
      '--percentile <p>',
      `activation range percentile (100 = min/max; yunet default ${DEFAULT_YUNET_QUANTIZE_SETTINGS.percentile})`,
      Number,
      DEFAULT_QUANTIZE_SETTINGS.percentile,
    )
    .option('--conv-bits <n>', 'weight bits of regular convolutions', int, DEFAULT_QUANTIZE_SETTINGS.convWeightBits)
    .option(
      '--depthwise-bits <n>',
      'weight bits of depthwise convolutions',
      int,
      DEFAULT_QUANTIZE_SETTINGS.depthwiseWeightBits,
    )
    .option(
      '--all-int8',
      'quantize the first and last convolutions too (default: they stay fp32); yunet: the first (image) convolution',
    )
    .option('--no-bias-correction', 'do not fold the expected weight-rounding shift into the biases')
    .option('--out <file.onnx>', 'output ONNX file')
    .option('--output <file.onnx>', 'same as --out')
    .option(
      '--input <file.onnx>',
      'yunet: the fp32 ONNX to quantize (default: vision/models/yunet/yunet_n_dynamic.onnx)',
    )
    .option('--images <dir>', 'yunet: calibration photos (jpg/png), used gray', DEVSET_IMAGES_DIR)
    .option('--scales <list>', 'yunet: scales each photo is calibrated at', DEFAULT_YUNET_CALIBRATION_SCALES.join(','))
    .option('--float-heads', 'yunet: keep the 24 detection-head convolutions in fp32')
    .option('--float-convs <names>', 'yunet: more Conv nodes kept in fp32, comma-separated (e.g. Conv_0)')
    .action(async (o: QuantizeFlags, cmd: Command) => {
      const out = o.out ?? o.output;
      if (!out) throw new Error('--out (or --output) is required');
      if (o.out !== undefined && o.output !== undefined && o.out !== o.output)
        throw new Error('give either --out or --output, not both');
      for (const [name, bits] of [
        ['conv', o.convBits],
        ['depthwise', o.depthwiseBits],
      ] as const) {
        if (!Number.isInteger(bits) || bits < 2 || bits > 8)
          throw new Error(`--${name}-bits must be 2..8, got ${bits}`);
      }
      if (!(o.percentile > 50 && o.percentile <= 100))
        throw new Error(`--percentile must be in (50, 100], got ${o.percentile}`);
      if (o.model === 'yunet') {
        // Options left at the emotion model's defaults take YuNet's.
        const given = (key: string): boolean => cmd.getOptionValueSource(key) === 'cli';
        await quantizeYunetCommand(o, out, {
          convWeightBits: given('convBits') ? o.convBits : DEFAULT_YUNET_QUANTIZE_SETTINGS.convWeightBits,
          depthwiseWeightBits: given('depthwiseBits')
            ? o.depthwiseBits
            : DEFAULT_YUNET_QUANTIZE_SETTINGS.depthwiseWeightBits,
          percentile: given('percentile') ? o.percentile : DEFAULT_YUNET_QUANTIZE_SETTINGS.percentile,
        });
        return;
      }
      const ir = tfjsGraphToIr(readTfjsGraphModel(o.model ?? locateSourceModel().modelJson, o.weights), 'quantized');
      if (!existsSync(o.calibration)) throw new Error(`calibration CSV not found: ${o.calibration}`);
      if (!(o.rows >= 1)) throw new Error(`--rows must be a positive integer, got ${o.rows}`);
      const rows: GrayImage[] = [];
      for await (const row of readFerCsv(o.calibration, { limit: o.rows })) rows.push(row.image);
      const images = o.mixedSizes ? mixFaceSizes(rows) : rows;
      const bar = progressBar('calibrating', 2 * images.length);
      const bytes = await quantizeModel(
        ir,
        toModelInput(images),
        images.length,
        {
          convWeightBits: o.convBits,
          depthwiseWeightBits: o.depthwiseBits,
          percentile: o.percentile,
          floatEnds: o.allInt8 !== true,
          biasCorrection: o.biasCorrection,
        },
        { producerVersion: 'quantize', docString: 'int8 QDQ' },
        (pass, done) => bar.update((pass - 1) * images.length + done),
      );
      bar.stop();
      writeFileSync(out, bytes);
      process.stdout.write(`wrote ${out} (calibrated on ${images.length} rows)\n`);
    });
}

async function quantizeYunetCommand(
  o: QuantizeFlags,
  out: string,
  numeric: { convWeightBits: number; depthwiseWeightBits: number; percentile: number },
): Promise<void> {
  const input = o.input ?? FP32_YUNET_PATH;
  if (!existsSync(input)) throw new Error(`YuNet ONNX not found: ${input}`);
  const scales = o.scales.split(',').map(Number);
  if (scales.length === 0 || scales.some((s) => !(s > 0 && s <= 1)))
    throw new Error(`--scales must be numbers in (0, 1], got "${o.scales}"`);
  const frames = yunetCalibrationFrames(o.images, scales);
  const bar = progressBar('calibrating', 2 * frames.length);
  const bytes = await quantizeYunet(
    readFileSync(input),
    frames,
    {
      ...numeric,
      floatFirstConv: o.allInt8 !== true,
      floatHeads: o.floatHeads === true,
      biasCorrection: o.biasCorrection,
      floatConvs: (o.floatConvs ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    },
    (pass, done) => bar.update((pass - 1) * frames.length + done),
  );
  bar.stop();
  writeFileSync(out, bytes);
  process.stdout.write(`wrote ${out} (YuNet int8, calibrated on ${frames.length} frames from ${o.images})\n`);
}
