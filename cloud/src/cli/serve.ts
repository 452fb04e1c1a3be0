#!/usr/bin/env node
// `lectern-cloud`: the cloud alone, configured only through LECTERN_* variables (containers, systemd).
// Unlike `npm start` it provisions nothing and simulates nothing.
import { Logger } from '@nestjs/common';
import { startCloud } from '../cloud';
import { ConfigError } from '../config/cloud-config';

async function main(): Promise<void> {
  const cloud = await startCloud();
  const logger = new Logger('Serve');
  logger.log(`dashboard and API on ${cloud.httpUrl} (Swagger UI at /api/docs), MQTT ${cloud.mqttUrl}`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: flushing pending snapshots and stopping`);
    cloud.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error(`shutdown failed: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  // A configuration problem is the operator's to fix: say which setting, without a stack trace.
  process.stderr.write(`${err instanceof ConfigError ? err.message : ((err as Error).stack ?? String(err))}\n`);
  process.exit(1);
});
