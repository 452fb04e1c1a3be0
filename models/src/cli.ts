#!/usr/bin/env node
import { Command } from 'commander';
import { registerBenchCommand } from './commands/bench';
import { registerBuildCommand } from './commands/build';
import { registerConvertCommand } from './commands/convert';
import { registerEvalCommand } from './commands/eval';
import { registerQuantizeCommand } from './commands/quantize';
import { registerTrainCommand } from './commands/train';

const program = new Command('lectern-models').description(
  'Lectern emotion model pipeline: convert, quantize, evaluate, build, bench, train',
);
registerConvertCommand(program);
registerQuantizeCommand(program);
registerEvalCommand(program);
registerBuildCommand(program);
registerBenchCommand(program);
registerTrainCommand(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`lectern-models: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
