import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { provisionDevice, type CloudHandle } from '@lectern/cloud';

const ROOT = resolve(__dirname, '..', '..', '..');
export const AGENT_CLI = join(ROOT, 'device', 'dist', 'cli.js');
/** A real face video (Intel, CC BY 4.0) from the ../shared data folder. */
export const MALE_CLIP = resolve(ROOT, '..', 'shared', 'data', 'video', 'intel_head-pose-face-detection-male.mp4');

export type AgentProcess = ChildProcess & { output: () => string };

/**
 * Provisions a device on the cloud and writes an agent config that plays `video` in a loop into
 * `<dir>/device.yaml` (YAML is a superset of JSON); returns its path.
 */
export async function writeAgentConfig(
  cloud: CloudHandle,
  dir: string,
  device: { id: string; roomId: string; roomName: string },
  opts: { video?: string; detectionHz?: number } = {},
): Promise<string> {
  const creds = await provisionDevice(cloud, device);
  const config = join(dir, 'device.yaml');
  writeFileSync(
    config,
    JSON.stringify({
      deviceId: device.id,
      roomId: device.roomId,
      broker: { url: cloud.mqttUrl, username: creds.username, password: creds.password },
      dataDir: join(dir, 'agent'),
      source: { type: 'file', path: opts.video ?? MALE_CLIP, loop: true },
      detection: { hz: opts.detectionHz ?? 1 },
      snapshotHz: 2,
      telemetryIntervalS: 5,
    }),
  );
  return config;
}

/** Starts `lectern-device run` as its own process, keeping the tail of its output for error messages. */
export function spawnAgent(config: string): AgentProcess {
  const child = spawn(process.execPath, [AGENT_CLI, 'run', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
  return Object.assign(child, { output: () => output.join('').slice(-4000) });
}
