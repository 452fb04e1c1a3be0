#!/usr/bin/env node
import { Command } from 'commander';
import { registerBench } from './commands/bench-command';
import { registerEval } from './commands/eval-command';
import { registerMargins } from './commands/margin-command';
import { registerRun } from './commands/run-command';
import { registerSimulate } from './commands/simulate-command';

const program = new Command('lectern-device').description('Lectern edge agent').showHelpAfterError();
registerRun(program);
registerSimulate(program);
registerMargins(program);
registerEval(program);
registerBench(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`lectern-device: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
