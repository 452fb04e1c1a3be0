#!/usr/bin/env node
import { Command } from 'commander';
import { registerAimCheck } from './commands/aim-check-command';
import { registerDetectEval } from './commands/detect-eval-command';
import { registerRun } from './commands/run-command';

const program = new Command('lectern-device').description('Lectern edge agent').showHelpAfterError();
registerRun(program);
registerDetectEval(program);
registerAimCheck(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`lectern-device: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
