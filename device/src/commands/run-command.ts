import type { Command } from 'commander';
import { Agent } from '../agent/agent';
import { loadAgentConfig } from '../config/agent-config';

/** A stop that hangs (a wedged camera driver, a broker that never answers) must not block a restart. */
const STOP_TIMEOUT_MS = 15_000;

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run the edge agent until SIGINT/SIGTERM (or a remote `restart` command)')
    .requiredOption('--config <file>', 'device.yaml')
    .action(async (flags: { config: string }) => {
      const config = loadAgentConfig(flags.config);
      const agent = await Agent.start(config);
      const reason = await new Promise<string>((resolve) => {
        agent.control.onRestart = () => resolve('restart command');
        process.once('SIGINT', () => resolve('SIGINT'));
        process.once('SIGTERM', () => resolve('SIGTERM'));
      });
      agent.log.info(`stopping (${reason})`);
      // A second signal while stopping means "now": the outbox is durable, nothing is lost.
      const force = () => process.exit(130);
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      const timer = setTimeout(() => {
        agent.log.error(`stop took longer than ${STOP_TIMEOUT_MS / 1000} s; exiting anyway`);
        process.exit(1);
      }, STOP_TIMEOUT_MS);
      timer.unref();
      await agent.stop();
      clearTimeout(timer);
      agent.log.info('stopped');
    });
}
