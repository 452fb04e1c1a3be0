#!/usr/bin/env node
// `npm start`: the cloud with embedded defaults, one real edge agent on a demo audience in the "demo-live"
// room, and simulated devices in three more rooms.
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { parseArgs } from 'node:util';
import { adminPasswordFile, provisionDevice, resolveConfig, startCloud, type CloudHandle } from '@lectern/cloud';
import { startSimulator, type Simulator } from '../simulate';
import { serveDemoInfo } from './demo-info-endpoint';
import { DEMO_LIVE, firstDetection, prepareDemoClip, startDemoLiveRoom, type DemoLiveRoom } from './demo-live-room';

const SIMULATED_ROOMS = [
  { roomId: 'demo-hall', roomName: 'Demo Hall', cameras: 2 },
  { roomId: 'lab-1', roomName: 'Lab 1', cameras: 1 },
  { roomId: 'seminar-2', roomName: 'Seminar 2', cameras: 1 },
];

const USAGE = `usage: node lab/dist/start/start.js [--camera /dev/video0 | rtsp://… | http://…] [--no-demo]
  --camera   the demo agent watches this camera instead of the demo clip (env LECTERN_DEMO_CAMERA)
  --no-demo  no real agent, simulated rooms only (env LECTERN_DEMO=0)`;

function options(): { camera: string | undefined; demo: boolean } {
  try {
    const { values } = parseArgs({
      options: { camera: { type: 'string' }, 'no-demo': { type: 'boolean' }, help: { type: 'boolean' } },
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    return {
      camera: values.camera ?? (process.env.LECTERN_DEMO_CAMERA || undefined),
      demo: !values['no-demo'] && process.env.LECTERN_DEMO !== '0',
    };
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}

async function startSimulatedRooms(cloud: CloudHandle): Promise<Simulator> {
  const devices = [];
  for (const room of SIMULATED_ROOMS) {
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
  // Every start is a new sequence epoch for the simulated devices, so the cloud stores them again from seq 0.
  return startSimulator({ brokerUrl: cloud.mqttUrl, devices, hz: 1 });
}

function adminPassword(cloud: CloudHandle): string {
  const pwFile = adminPasswordFile(cloud.config.dataDir);
  if (process.env.LECTERN_ADMIN_PASSWORD) return '(the value of LECTERN_ADMIN_PASSWORD)';
  if (existsSync(pwFile)) return readFileSync(pwFile, 'utf8').trim();
  return '(set on an earlier run; set LECTERN_ADMIN_PASSWORD to reset it)';
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const opts = options();
  const env: Record<string, string> = {};
  if (!process.env.LECTERN_MQTT_PORT) env.LECTERN_MQTT_PORT = 'auto';
  // A local demo shows its Swagger UI (printed below); a deployment keeps it admin-only (LECTERN_PUBLIC_DOCS).
  if (!process.env.LECTERN_PUBLIC_DOCS) env.LECTERN_PUBLIC_DOCS = '1';
  // The clip is composed while the cloud boots; a failure surfaces only if the demo needs the clip.
  let clip: Promise<string> | null = null;
  if (opts.demo && !opts.camera) {
    clip = prepareDemoClip(resolveConfig(env).dataDir);
    clip.catch(() => undefined);
  }
  const cloud: CloudHandle = await startCloud(env);
  let sim: Simulator | null = null;
  let demo: DemoLiveRoom | null = null;
  const watching = new AbortController();
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    watching.abort();
    process.stderr.write(`\n${signal}: stopping…\n`);
    try {
      // The agent first, while the broker still runs: it flushes its outbox and says offline.
      await demo?.agent.stop();
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
  process.on('SIGHUP', () => void shutdown('SIGHUP'));
  // Any other way out (an uncaught error, a second Ctrl-C) still takes the agent and its ffmpeg along.
  process.on('exit', () => demo?.agent.killNow());

  if (process.env.LECTERN_SIMULATE !== '0') sim = await startSimulatedRooms(cloud);

  if (opts.demo) {
    try {
      demo = await startDemoLiveRoom(cloud, {
        camera: opts.camera,
        clip: () => clip ?? prepareDemoClip(cloud.config.dataDir),
        log: (line) => process.stderr.write(`[${DEMO_LIVE.deviceId}] ${line}\n`),
      });
    } catch (err) {
      // The rest of the platform stays useful without the real agent.
      process.stderr.write(`demo agent not started: ${(err as Error).message}\n`);
    }
  }
  const live = demo;
  serveDemoInfo(cloud.app.getHttpServer() as Server, () => ({
    devices: live ? [{ deviceId: DEMO_LIVE.deviceId, roomId: DEMO_LIVE.roomId, previewUrl: live.previewUrl }] : [],
  }));

  const source = live?.source;
  const watched =
    source?.type === 'file' ? 'demo audience clip (loop)' : source?.type === 'v4l2' ? source.device : source?.url;
  process.stdout.write(
    [
      '',
      `Lectern cloud is running`,
      `  dashboard: ${cloud.httpUrl}/`,
      `  login:     admin / ${adminPassword(cloud)}`,
      live
        ? `  demo room: ${cloud.httpUrl}/#/rooms/${DEMO_LIVE.roomId} (real agent ${DEMO_LIVE.deviceId} on ${watched})`
        : opts.demo
          ? '  demo room: not started (see the error above)'
          : '  demo room: off (--no-demo / LECTERN_DEMO=0)',
      live ? `  preview:   ${live.previewUrl} (the agent's local debug view: boxes, track ids, labels)` : '',
      `  API docs:  ${cloud.httpUrl}/api/docs`,
      `  MQTT:      ${cloud.mqttUrl}`,
      `  data:      ${cloud.config.dataDir}`,
      sim
        ? `  simulating ${SIMULATED_ROOMS.length} rooms (${SIMULATED_ROOMS.map((r) => r.roomId).join(', ')}) at 1 Hz`
        : '  simulator off (LECTERN_SIMULATE=0)',
      'Press Ctrl+C to stop.',
      '',
    ]
      .filter((line, i) => line !== '' || i === 0)
      .join('\n') + '\n',
  );

  if (live) {
    const first = await firstDetection(cloud, DEMO_LIVE.roomId, watching.signal);
    if (first) {
      const s = ((Date.now() - startedAt) / 1000).toFixed(1);
      process.stdout.write(
        `First real detections in ${DEMO_LIVE.roomId} after ${s} s: ${first.faces} faces, mostly ${first.dominant ?? '?'}\n`,
      );
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`lectern cloud failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
