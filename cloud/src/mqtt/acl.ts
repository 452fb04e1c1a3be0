import { CLOUD_TOPIC_KINDS, DEVICE_TOPIC_KINDS, parseTopic, topicFilter, topicFor } from '@lectern/protocol';

/** Who an authenticated MQTT connection is. */
export type MqttPrincipal = { kind: 'cloud' } | { kind: 'device'; deviceId: string };

/** The subscriptions the cloud's own client makes: every device-originated kind, all devices. */
export const CLOUD_SUBSCRIPTIONS = DEVICE_TOPIC_KINDS.map((k) => topicFilter(k));

/**
 * Topic ACL shared by the embedded broker and the docs for Mosquitto / EMQX:
 * a device publishes only its own device-originated topics; the cloud publishes only config/command.
 */
export function mayPublish(who: MqttPrincipal, topic: string): boolean {
  const t = parseTopic(topic);
  if (!t) return false;
  if (who.kind === 'cloud') return (CLOUD_TOPIC_KINDS as string[]).includes(t.kind);
  return t.deviceId === who.deviceId && (DEVICE_TOPIC_KINDS as string[]).includes(t.kind);
}

/** A device subscribes only to its own config and command topics; the cloud to device-originated filters. */
export function maySubscribe(who: MqttPrincipal, filter: string): boolean {
  if (who.kind === 'cloud') return CLOUD_SUBSCRIPTIONS.includes(filter) || filter === topicFilter('#');
  return filter === topicFor('config', who.deviceId) || filter === topicFor('command', who.deviceId);
}
