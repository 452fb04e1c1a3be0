import type { Command } from 'commander';
import { Agent } from '../agent/agent';
import { loadAgentConfig } from '../config/agent-config';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run the edge agent until SIGINT/SIGTERM')
    .requiredOption('--config <file>', 'device.yaml')
    .action(async (flags: { config: string }) => {
      const config = loadAgentConfig(flags.config);
      const agent = await Agent.start(config);
      await new Promise<void>((resolve) => {
        agent.control.onRestart = resolve;
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await agent.stop();
    });
}
