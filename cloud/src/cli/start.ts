#!/usr/bin/env node
// `npm start`: the cloud with embedded defaults plus simulated devices in three demo rooms.
import { existsSync, readFileSync } from 'node:fs';
import { startSimulator, type Simulator } from '@lectern/device';
import { adminPasswordFile } from '../auth/users.service';
import { provisionDevice, startCloud, type CloudHandle } from '../cloud';

const DEMO_ROOMS = [
  { roomId: 'demo-hall', roomName: 'Demo Hall', cameras: 2 },
  { roomId: 'lab-1', roomName: 'Lab 1', cameras: 1 },
  { roomId: 'seminar-2', roomName: 'Seminar 2', cameras: 1 },
];

async function main(): Promise<void> {
  const env: Record<string, string> = {};
  if (!process.env.LECTERN_MQTT_PORT) env.LECTERN_MQTT_PORT = 'auto';
  const cloud: CloudHandle = await startCloud(env);
  let sim: Simulator | null = null;
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`\n${signal}: stopping…\n`);
    try {
      await sim?.stop();
      await cloud.close();
      process.exit(0);
    } catch (err) {
      process.stderr.write(`shutdown failed: ${(err as Error).message}\n`);
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  if (process.env.LECTERN_SIMULATE !== '0') {
    const devices = [];
    for (const room of DEMO_ROOMS) {
      for (let i = 1; i <= room.cameras; i++) {
        const deviceId = `sim-${room.roomId}-${i}`;
        const creds = await provisionDevice(cloud, {
          id: deviceId,
          roomId: room.roomId,
          roomName: room.roomName,
          buildingName: 'Main',
        });
        devices.push({ deviceId, roomId: room.roomId, username: creds.username, password: creds.password });
      }
    }
    // seq must keep increasing across restarts (the cloud dedupes on it), so start from the clock.
    sim = await startSimulator({ brokerUrl: cloud.mqttUrl, devices, hz: 1, firstSeq: Date.now() });
  }

  const pwFile = adminPasswordFile(cloud.config.dataDir);
  const password = process.env.LECTERN_ADMIN_PASSWORD
    ? '(the value of LECTERN_ADMIN_PASSWORD)'
    : existsSync(pwFile)
      ? readFileSync(pwFile, 'utf8').trim()
      : '(set on an earlier run; set LECTERN_ADMIN_PASSWORD to reset it)';
  process.stdout.write(
    [
      '',
      `Lectern cloud is running`,
      `  dashboard: ${cloud.httpUrl}/`,
      `  login:     admin / ${password}`,
      `  API docs:  ${cloud.httpUrl}/api/docs`,
      `  MQTT:      ${cloud.mqttUrl}`,
      `  data:      ${cloud.config.dataDir}`,
      sim
        ? `  simulating ${DEMO_ROOMS.length} rooms (${DEMO_ROOMS.map((r) => r.roomId).join(', ')}) at 1 Hz`
        : '  simulator off (LECTERN_SIMULATE=0)',
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`lectern cloud failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
