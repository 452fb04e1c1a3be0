import type { Command } from 'commander';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CALIBRATION_ROWS } from '../build/build-artifacts';
import { tfjsGraphToIr } from '../convert/tfjs-graph-to-ir';
import { readFerCsv } from '../fer-csv';
import type { GrayImage } from '@lectern/vision';
import { toModelInput } from '@lectern/vision';
import { fer2013Dir } from '../paths';
import { progressBar } from '../progress';
import { DEFAULT_QUANTIZE_SETTINGS, quantizeModel } from '../quantize/quantize-model';
import { locateSourceModel } from '../source-model';
import { readTfjsGraphModel } from '../tfjs/graph-model-files';

const int = (v: string): number => Number.parseInt(v, 10);

export function registerQuantizeCommand(program: Command): void {
  program
    .command('quantize')
    .description('static int8 QDQ quantization of a TF.js graph model, calibrated on FER2013-format faces')
    .option('--model <model.json>', 'TF.js graph model (default: @vladmandic/human models/emotion.json)')
    .option('--calibration <csv>', 'calibration faces, FER2013 CSV(.gz)', join(fer2013Dir(), 'train.csv.gz'))
    .option('--rows <n>', 'calibration rows', int, CALIBRATION_ROWS)
    .option(
      '--percentile <p>',
      'activation range percentile (100 = min/max)',
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
    .option('--all-int8', 'quantize the first and last convolutions too (default: they stay fp32)')
    .option('--no-bias-correction', 'do not fold the expected weight-rounding shift into the biases')
    .requiredOption('--out <file.onnx>', 'output ONNX file')
    .action(
      async (o: {
        model?: string;
        calibration: string;
        rows: number;
        percentile: number;
        convBits: number;
        depthwiseBits: number;
        allInt8?: boolean;
        biasCorrection: boolean;
        out: string;
      }) => {
        for (const [name, bits] of [
          ['conv', o.convBits],
          ['depthwise', o.depthwiseBits],
        ] as const) {
          if (!Number.isInteger(bits) || bits < 2 || bits > 8)
            throw new Error(`--${name}-bits must be 2..8, got ${bits}`);
        }
        if (!(o.percentile > 50 && o.percentile <= 100))
          throw new Error(`--percentile must be in (50, 100], got ${o.percentile}`);
        const ir = tfjsGraphToIr(readTfjsGraphModel(o.model ?? locateSourceModel().modelJson), 'quantized');
        if (!existsSync(o.calibration)) throw new Error(`calibration CSV not found: ${o.calibration}`);
        if (!(o.rows >= 1)) throw new Error(`--rows must be a positive integer, got ${o.rows}`);
        const images: GrayImage[] = [];
        for await (const row of readFerCsv(o.calibration, { limit: o.rows })) images.push(row.image);
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
        writeFileSync(o.out, bytes);
        process.stdout.write(`wrote ${o.out} (calibrated on ${images.length} rows)\n`);
      },
    );
}
