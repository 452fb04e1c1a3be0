import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { startSimulator, type SimulatedDevice } from '../simulate';

interface SimulateFlags {
  rooms: string;
  broker: string;
  hz: string;
  count?: string;
  credentials?: string;
  faces: string;
  firstSeq: string;
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('simulate N edge devices publishing snapshots to a broker')
    .option('--rooms <n>', 'number of simulated rooms (one device each) when no --credentials', '1')
    .option('--broker <url>', 'MQTT broker URL', 'mqtt://127.0.0.1:1883')
    .option('--hz <hz>', 'snapshots per second per device', '1')
    .option('--count <k>', 'stop after K snapshots per device')
    .option('--credentials <file>', 'JSON array of {deviceId, roomId, username, password}')
    .option('--faces <min-max>', 'head count range per device', '5-40')
    .option('--first-seq <n>', 'first snapshot seq of every device', '0')
    .action(async (flags: SimulateFlags) => {
      const devices = flags.credentials
        ? await readCredentials(flags.credentials)
        : defaultDevices(positiveInt(flags.rooms, '--rooms'));
      const [min, max] = flags.faces.split('-').map(Number);
      if (min === undefined || max === undefined || !Number.isInteger(min) || !Number.isInteger(max)) {
        throw new Error(`--faces must look like 5-40, got "${flags.faces}"`);
      }
      const sim = await startSimulator({
        brokerUrl: flags.broker,
        devices,
        hz: Number(flags.hz),
        count: flags.count === undefined ? undefined : positiveInt(flags.count, '--count'),
        faces: [min, max],
        firstSeq: Number(flags.firstSeq),
        onError: (id, err) => console.error(`[${id}] ${err.message}`),
      });
      console.error(`simulating ${devices.length} device(s) at ${flags.hz} Hz against ${flags.broker}`);
      const report = setInterval(() => console.error(`published ${sim.published()} snapshots`), 10_000);
      const stop = async (): Promise<void> => {
        clearInterval(report);
        await sim.stop();
        console.error(`stopped after ${sim.published()} acknowledged snapshots`);
      };
      if (flags.count !== undefined) {
        await Promise.race([sim.done, onSignal()]);
      } else {
        await onSignal();
      }
      await stop();
    });
}

function onSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

function positiveInt(raw: string, flag: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got "${raw}"`);
  return n;
}

export function defaultDevices(n: number): SimulatedDevice[] {
  return Array.from({ length: n }, (_, i) => ({ deviceId: `sim-${i + 1}`, roomId: `sim-room-${i + 1}` }));
}

export async function readCredentials(file: string): Promise<SimulatedDevice[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read credentials file ${file}: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0)
    throw new Error(`${file}: expected a non-empty JSON array of {deviceId, roomId, username, password}`);
  return parsed.map((entry: unknown, i) => {
    const e = entry as Partial<Record<keyof SimulatedDevice, unknown>>;
    if (typeof e?.deviceId !== 'string' || typeof e.roomId !== 'string')
      throw new Error(`${file}[${i}]: deviceId and roomId must be strings`);
    for (const k of ['username', 'password'] as const) {
      if (e[k] !== undefined && typeof e[k] !== 'string') throw new Error(`${file}[${i}]: ${k} must be a string`);
    }
    return {
      deviceId: e.deviceId,
      roomId: e.roomId,
      username: e.username as string | undefined,
      password: e.password as string | undefined,
    };
  });
}
