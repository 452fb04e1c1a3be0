import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseAgentConfig, type AgentConfigInput } from '@lectern/device';

export type DemoSource = AgentConfigInput['source'];

/**
 * What the demo camera looks at: `LECTERN_DEMO_CAMERA` / `--camera` names a V4L2 device (/dev/video0) or an
 * rtsp:// or http(s):// stream; without it the composed demo clip plays in a loop.
 */
export function demoSource(camera: string | undefined, clipPath: () => Promise<string>): Promise<DemoSource> {
  if (!camera) return clipPath().then((path) => ({ type: 'file', path, loop: true, realtime: true }));
  if (/^rtsps?:\/\//.test(camera)) return Promise.resolve({ type: 'rtsp', url: camera });
  if (/^https?:\/\//.test(camera)) return Promise.resolve({ type: 'http', url: camera });
  if (camera.startsWith('/dev/')) return Promise.resolve({ type: 'v4l2', device: camera });
  return Promise.reject(
    new Error(`demo camera "${camera}" is neither a /dev/video* device nor an rtsp:// or http(s):// URL`),
  );
}

export interface DemoDeviceConfigInput {
  deviceId: string;
  roomId: string;
  brokerUrl: string;
  username: string;
  password: string;
  agentDataDir: string;
  source: DemoSource;
  previewPort: number;
}

/** The agent's device.yaml for the demo, validated by the agent's own schema before it is written. */
export function demoDeviceConfig(input: DemoDeviceConfigInput): AgentConfigInput {
  const config: AgentConfigInput = {
    deviceId: input.deviceId,
    roomId: input.roomId,
    broker: { url: input.brokerUrl, username: input.username, password: input.password },
    dataDir: input.agentDataDir,
    source: input.source,
    // Bounds detection cost whatever the camera delivers; the demo clip is already 960 px wide.
    frameWidth: 960,
    // A fixed 5 Hz instead of 'auto': YuNet costs ~25 ms a 960x540 frame, and 'auto' would spend up to 60 % of
    // a core on a laptop that also runs the cloud, three simulated rooms and a browser.
    detection: { hz: 5 },
    snapshotHz: 1,
    // Frequent telemetry so the dashboard's device row shows FPS within seconds of starting.
    telemetryIntervalS: 5,
    preview: { enabled: true, port: input.previewPort },
  };
  parseAgentConfig(config, 'demo device config');
  return config;
}

/** Block-style YAML for plain nested objects; scalars are JSON, which YAML reads verbatim. */
export function toYaml(value: Record<string, unknown>, indent = ''): string {
  const lines: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      lines.push(`${indent}${key}:`);
      lines.push(toYaml(v as Record<string, unknown>, `${indent}  `));
    } else {
      lines.push(`${indent}${key}: ${JSON.stringify(v)}`);
    }
  }
  return lines.join('\n');
}

/** Writes the config readable only by this user: it holds the device's MQTT password. */
export function writeDeviceYaml(path: string, config: AgentConfigInput): void {
  mkdirSync(dirname(path), { recursive: true });
  const text = [
    '# Lectern demo device (written by `npm start` on every start; the credentials are re-issued each time)',
    toYaml(config),
    '',
  ].join('\n');
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}
