import type { Command } from 'commander';
import { buildArtifacts } from '../build/build-artifacts';

export function registerBuildCommand(program: Command): void {
  program
    .command('build')
    .description('regenerate vision/models (fp32 + int8 ONNX, Haar cascade, manifest) from the npm package and FER2013')
    .option('--out <dir>', 'output folder (default: vision/models)')
    .option('--cascade <file>', 'Haar cascade to copy', undefined)
    .option(
      '--calibration <csv>',
      'FER2013-format CSV(.gz) with calibration faces (default: ../shared/data/fer2013/train.csv.gz)',
    )
    .option('--calibration-rows <n>', 'number of calibration rows', (v) => Number.parseInt(v, 10))
    .option('--eval-csv <csv>', 'CSV for the manifest accuracies (default: ../shared/data/fer2013/publictest.csv)')
    .option('--skip-eval', 'keep the accuracies of the existing manifest instead of re-evaluating')
    .action(
      async (o: {
        out?: string;
        cascade?: string;
        calibration?: string;
        calibrationRows?: number;
        evalCsv?: string;
        skipEval?: boolean;
      }) => {
        const manifest = await buildArtifacts({
          ...(o.out ? { outDir: o.out } : {}),
          ...(o.cascade ? { cascadeSource: o.cascade } : {}),
          ...(o.calibration ? { calibrationCsv: o.calibration } : {}),
          ...(o.calibrationRows ? { calibrationRows: o.calibrationRows } : {}),
          ...(o.evalCsv ? { evalCsv: o.evalCsv } : {}),
          skipEval: o.skipEval === true,
        });
        for (const v of ['fp32', 'int8'] as const)
          process.stdout.write(`${manifest.variants[v].file}  ${manifest.variants[v].sha256}\n`);
        process.stdout.write(`${manifest.cascade.file}  ${manifest.cascade.sha256}\n`);
      },
    );
}
