import type { z } from 'zod';
import { commandSchema, responseSchema } from './command';
import { deviceConfigSchema } from './config';
import { PROTOCOL_VERSION } from './primitives';
import { snapshotSchema } from './snapshot';
import { statusSchema } from './status';
import { telemetrySchema } from './telemetry';

export const TOPIC_ROOT = `lectern/v${PROTOCOL_VERSION}` as const;

/**
 * The one topic -> payload map both ends use. `from` says who publishes; `retain` and `qos` are what
 * publishers must use. Every topic is per device: lectern/v1/devices/{deviceId}/{kind}.
 */
export const TOPICS = {
  snapshot: { from: 'device', retain: false, qos: 1, schema: snapshotSchema },
  status: { from: 'device', retain: true, qos: 1, schema: statusSchema },
  telemetry: { from: 'device', retain: false, qos: 0, schema: telemetrySchema },
  response: { from: 'device', retain: false, qos: 1, schema: responseSchema },
  config: { from: 'cloud', retain: true, qos: 1, schema: deviceConfigSchema },
  command: { from: 'cloud', retain: false, qos: 1, schema: commandSchema },
} as const;

export type TopicKind = keyof typeof TOPICS;
export type PayloadOf<K extends TopicKind> = z.infer<(typeof TOPICS)[K]['schema']>;
export const TOPIC_KINDS = Object.keys(TOPICS) as TopicKind[];
export const DEVICE_TOPIC_KINDS = TOPIC_KINDS.filter((k) => TOPICS[k].from === 'device');
export const CLOUD_TOPIC_KINDS = TOPIC_KINDS.filter((k) => TOPICS[k].from === 'cloud');

const DEVICE_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function topicFor(kind: TopicKind, deviceId: string): string {
  if (!DEVICE_ID.test(deviceId)) throw new Error(`invalid device id "${deviceId}"`);
  return `${TOPIC_ROOT}/devices/${deviceId}/${kind}`;
}

/** MQTT subscription filter for one kind across all devices (`+` for the device id). */
export function topicFilter(kind: TopicKind | '#', deviceId = '+'): string {
  return kind === '#' ? `${TOPIC_ROOT}/devices/${deviceId}/#` : `${TOPIC_ROOT}/devices/${deviceId}/${kind}`;
}

export function parseTopic(topic: string): { kind: TopicKind; deviceId: string } | null {
  const parts = topic.split('/');
  if (parts.length !== 5 || `${parts[0]}/${parts[1]}` !== TOPIC_ROOT || parts[2] !== 'devices') return null;
  const [, , , deviceId, kind] = parts;
  if (!deviceId || !DEVICE_ID.test(deviceId) || !kind || !(kind in TOPICS)) return null;
  return { kind: kind as TopicKind, deviceId };
}
