import { join } from 'node:path';
import { LiveService, provisionDevice, type CloudHandle } from '@lectern/cloud';
import { ensureDemoVideo } from '../demo/demo-audience';
import { demoDeviceConfig, demoSource, writeDeviceYaml, type DemoSource } from '../demo/demo-device-config';
import { DemoAgentProcess } from './demo-agent';
import { freePort } from './free-port';
import { progressLine } from './progress-line';

/** The room where `npm start` runs one real edge agent next to the simulated rooms. */
export const DEMO_LIVE = {
  deviceId: 'demo-live-cam',
  roomId: 'demo-live',
  roomName: 'Demo Live (real agent)',
  buildingName: 'Main',
} as const;

export interface DemoLiveRoom {
  agent: DemoAgentProcess;
  source: DemoSource;
  configPath: string;
  previewUrl: string;
}

/** Composes (or reuses) the looping demo clip; started before the cloud so both happen at once. */
export function prepareDemoClip(dataDir: string): Promise<string> {
  return ensureDemoVideo(dataDir, { onProgress: progressLine('composing the demo audience clip') });
}

/**
 * Registers the demo device through the same service as the installer API (its own credentials), writes its
 * device.yaml into the data dir and starts `lectern-device run` on it with the local preview on a free port.
 */
export async function startDemoLiveRoom(
  cloud: CloudHandle,
  options: { camera: string | undefined; clip: () => Promise<string>; log: (line: string) => void },
): Promise<DemoLiveRoom> {
  const source = await demoSource(options.camera, options.clip);
  const credentials = await provisionDevice(cloud, {
    id: DEMO_LIVE.deviceId,
    roomId: DEMO_LIVE.roomId,
    roomName: DEMO_LIVE.roomName,
    buildingName: DEMO_LIVE.buildingName,
  });
  const previewPort = process.env.LECTERN_DEMO_PREVIEW_PORT
    ? Number(process.env.LECTERN_DEMO_PREVIEW_PORT)
    : await freePort();
  const demoDir = join(cloud.config.dataDir, 'demo');
  const configPath = join(demoDir, 'device.yaml');
  writeDeviceYaml(
    configPath,
    demoDeviceConfig({
      deviceId: DEMO_LIVE.deviceId,
      roomId: DEMO_LIVE.roomId,
      // The embedded broker listens on all interfaces; the agent runs on this machine.
      brokerUrl: cloud.mqttUrl,
      username: credentials.username,
      password: credentials.password,
      agentDataDir: join(demoDir, 'agent'),
      source,
      previewPort,
    }),
  );
  const agent = new DemoAgentProcess({ configPath, log: options.log });
  agent.start();
  return { agent, source, configPath, previewUrl: `http://127.0.0.1:${previewPort}/` };
}

/** Resolves with the room's first live aggregate that has faces and an emotion distribution. */
export function firstDetection(
  cloud: CloudHandle,
  roomId: string,
  signal: AbortSignal,
): Promise<{ faces: number; dominant: string | null } | null> {
  const live = cloud.app.get(LiveService);
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      const agg = live.get(roomId);
      if (agg && agg.faces > 0 && agg.distribution) {
        clearInterval(timer);
        resolve({ faces: agg.faces, dominant: agg.dominant });
      }
    }, 250);
    signal.addEventListener('abort', () => {
      clearInterval(timer);
      resolve(null);
    });
  });
}
