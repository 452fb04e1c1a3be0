// A private Mosquitto for fault tests, with the production queue limits of deploy/cloud/mosquitto/mosquitto.conf
// (the shared test broker keeps Mosquitto's default max_queued_messages of 1000, which drops what devices
// publish while a killed cloud restarts at 500 snapshots/s: 500/s x 3-5 s of restart > 1000).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connectAsync } from 'mqtt';
import { freePort } from './cloud-process';
import { waitFor } from './wait';

const DEPLOY_CONF = resolve(__dirname, '..', '..', '..', 'deploy', 'cloud', 'mosquitto', 'mosquitto.conf');

/** Whether a `mosquitto` binary is on PATH. */
export const haveMosquitto = (): boolean => spawnSync('sh', ['-c', 'command -v mosquitto']).status === 0;

/** The production broker's queue settings (max_queued_messages etc.), read from deploy/cloud. */
function productionQueueSettings(): string[] {
  const conf = readFileSync(DEPLOY_CONF, 'utf8');
  return conf
    .split('\n')
    .filter((l) => /^(max_queued_messages|max_queued_bytes|max_inflight_messages|max_inflight_bytes)\s/.test(l));
}

export interface PrivateMosquitto {
  url: string;
  /** The queue settings it runs with (from deploy/cloud). */
  settings: string[];
  stop(): Promise<void>;
}

/**
 * Starts `mosquitto` on a free loopback port: anonymous access (the per-device ACL is not what this broker is
 * for; cloud/test/mosquitto-dynsec.test.ts tests it), no persistence, deploy/cloud's queue limits.
 */
export async function startPrivateMosquitto(): Promise<PrivateMosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'lectern-fault-mosquitto-'));
  const port = await freePort();
  const settings = productionQueueSettings();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest stderr', ...settings].join(
      '\n',
    ) + '\n',
  );
  let log = '';
  const child: ChildProcess = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-4000)));
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const url = `mqtt://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`mosquitto exited: ${log}`);
        const c = await connectAsync(url, { reconnectPeriod: 0, connectTimeout: 1000 });
        await c.endAsync();
        return true;
      },
      'private mosquitto to listen',
      10_000,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, settings, stop };
}
