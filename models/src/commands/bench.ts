import type { Command } from 'commander';
import { join } from 'node:path';
import { runBenchmark } from '../bench/bench';
import { fer2013Dir } from '../paths';

export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('ms/face of ONNX Runtime fp32 vs int8 (batch 1/16, 1/2 threads) and TF.js; last line is JSON')
    .option(
      '--csv <file>',
      'faces to time (default: FER2013 PublicTest, synthetic if missing)',
      join(fer2013Dir(), 'publictest.csv'),
    )
    .option('--no-tfjs', 'skip the (slow) TF.js reference timings')
    .action(async (o: { csv: string; tfjs: boolean }) => {
      process.stdout.write('engine                     variant threads batch   ms/face\n');
      const report = await runBenchmark({
        csv: o.csv,
        tfjs: o.tfjs,
        log: (r) =>
          process.stdout.write(
            `${r.engine.padEnd(26)} ${r.variant.padEnd(7)} ${String(r.threads).padStart(7)} ${String(r.batch).padStart(5)} ${r.msPerFace.toFixed(3).padStart(9)}\n`,
          ),
      });
      process.stdout.write(
        `int8/fp32 time ratio at batch 16: ${report.int8OverFp32Batch16} (1 thread), ${report.int8OverFp32Batch16TwoThreads} (2 threads)\n`,
      );
      process.stdout.write(`${JSON.stringify(report)}\n`);
    });
}
