import { encode, topicFor, TOPICS, type DeviceStatus } from '@lectern/protocol';
import type { IClientOptions, MqttClient } from 'mqtt';

export interface AvailabilityIdentity {
  deviceId: string;
  software?: string;
  model?: { id: string; version: string };
}

export function statusPayload(id: AvailabilityIdentity, state: DeviceStatus['state'], since: number): Buffer {
  const status: DeviceStatus = { v: 1, deviceId: id.deviceId, state, since };
  if (id.software !== undefined) status.software = id.software;
  if (id.model !== undefined) status.model = id.model;
  return encode('status', status);
}

/**
 * The last will: the broker publishes a retained `offline` for us when the connection dies without a
 * clean DISCONNECT (power cut, kill -9, network loss), so the dashboard never shows a dead device online.
 */
export function availabilityWill(id: AvailabilityIdentity): NonNullable<IClientOptions['will']> {
  return {
    topic: topicFor('status', id.deviceId),
    payload: statusPayload(id, 'offline', Date.now()),
    qos: TOPICS.status.qos,
    retain: TOPICS.status.retain,
  };
}

/**
 * Publishes the retained `online` status on every (re)connect: a retained `offline` left by the will of a
 * previous connection would otherwise stay on the topic forever.
 */
export function announceOnConnect(client: MqttClient, id: AvailabilityIdentity, onError?: (err: Error) => void): void {
  client.on('connect', () => {
    client.publish(
      topicFor('status', id.deviceId),
      statusPayload(id, 'online', Date.now()),
      { qos: TOPICS.status.qos, retain: TOPICS.status.retain },
      (err) => {
        if (err && onError) onError(err);
      },
    );
  });
}

/** A clean shutdown sends no will, so say `offline` ourselves before disconnecting. */
export async function announceOffline(client: MqttClient, id: AvailabilityIdentity, timeoutMs = 2000): Promise<void> {
  if (!client.connected) return;
  const publish = client.publishAsync(topicFor('status', id.deviceId), statusPayload(id, 'offline', Date.now()), {
    qos: TOPICS.status.qos,
    retain: TOPICS.status.retain,
  });
  await Promise.race([publish.then(() => undefined), delay(timeoutMs)]).catch(() => undefined);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
