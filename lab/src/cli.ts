#!/usr/bin/env node
import { Command } from 'commander';
import { registerBench } from './commands/bench-command';
import { registerEval } from './commands/eval-command';
import { registerMargins } from './commands/margin-command';
import { registerSimulate } from './commands/simulate-command';

const program = new Command('lectern-lab')
  .description('Lectern lab tools: composed-scene eval, crop-margin sweep, detector bench, device simulator')
  .showHelpAfterError();
registerSimulate(program);
registerMargins(program);
registerEval(program);
registerBench(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`lectern-lab: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
