import { Logger } from '@nestjs/common';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { CLOUD_SUBSCRIPTIONS } from '../mqtt/acl';

/** mqtt.js's own packet writer (not in its typings); used for PUBACKs sent after the commit. */
interface PacketSender {
  _sendPacket(packet: { cmd: 'puback'; messageId: number }): void;
}

/** Given to mqtt.js's handleMessage callback so it skips its own PUBACK (see handleMessage below). */
const DEFERRED_ACK = new Error('PUBACK deferred until the snapshot is committed');

export type MessageHandler = (topic: string, payload: Buffer) => Promise<void> | null;

/**
 * The cloud's consumer on an external broker (the embedded one delivers in-process). A QoS 1 snapshot is
 * acknowledged to the broker only once its row is committed (see handleMessage): the broker keeps it until
 * then, and its in-flight window (Mosquitto's max_inflight_messages) bounds how many wait, so a slow or
 * failing database slows the broker's delivery instead of filling memory or losing acknowledged messages.
 *
 * The session is persistent (fixed client id, clean: false, QoS 1 subscriptions): while the cloud is down
 * or reconnecting, the broker queues what devices publish (their outbox replay included) and delivers it
 * on reconnect, instead of dropping it for want of a subscriber.
 */
export class MqttIngestClient {
  private readonly logger = new Logger('MqttIngest');
  private client: MqttClient | null = null;

  constructor(
    private readonly url: string,
    private readonly auth: { username: string | null; password: string | null; clientId: string },
    private readonly onMessage: MessageHandler,
  ) {}

  async start(): Promise<void> {
    const opts: IClientOptions = {
      clientId: this.auth.clientId,
      clean: false,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      ...(this.auth.username ? { username: this.auth.username } : {}),
      ...(this.auth.password ? { password: this.auth.password } : {}),
    };
    const client = connect(this.url, opts);
    if (typeof (client as unknown as Partial<PacketSender>)._sendPacket !== 'function') {
      client.end(true);
      // Refuse to run rather than acknowledge nothing (or everything) after an mqtt.js upgrade.
      throw new Error('this mqtt.js version has no _sendPacket: acknowledging after commit needs mqtt 5.x');
    }
    this.client = client;
    client.handleMessage = (packet, callback) => {
      let wait: Promise<void> | null = null;
      try {
        const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
        wait = this.onMessage(packet.topic, payload);
      } catch (err) {
        this.logger.error(`message handler failed: ${(err as Error).message}`);
      }
      if (!wait) return callback();
      if (packet.qos !== 1 || packet.messageId === undefined) {
        // QoS 0: nothing to acknowledge, but wait for it all the same (back-pressure).
        wait.then(
          () => callback(),
          () => callback(),
        );
        return;
      }
      // QoS 1: the PUBACK goes out once the row is committed, not now. mqtt.js sends the PUBACK when this
      // callback succeeds and reads the next packet only after that, so waiting here would admit one message
      // per commit; instead the callback fails (mqtt.js then moves on without a PUBACK) and the PUBACK is
      // sent by `ackLater`. The broker's in-flight window bounds how many wait.
      const messageId = packet.messageId;
      const stream = client.stream;
      wait.then(
        () => this.ackLater(client, stream, messageId),
        // Not durable (shutdown with the database failing): no PUBACK, the broker redelivers the message.
        () => undefined,
      );
      callback(DEFERRED_ACK);
    };
    client.on('error', (err) => this.logger.warn(`MQTT: ${err.message}`));
    client.on('connect', (connack) => {
      // A resumed session keeps its subscriptions; subscribing again is harmless and covers a broker that
      // lost the session (restart without persistence).
      if (connack.sessionPresent) this.logger.log('resumed persistent MQTT session');
      client.subscribe(CLOUD_SUBSCRIPTIONS, { qos: 1 }, (err, granted) => {
        if (err) this.logger.error(`subscribe failed: ${err.message}`);
        const refused = (granted ?? []).filter((g) => g.qos === 128);
        if (refused.length)
          this.logger.error(`broker refused subscriptions: ${refused.map((g) => g.topic).join(', ')}`);
      });
    });
    await new Promise<void>((resolve, reject) => {
      const onConnect = (): void => {
        client.off('error', onError);
        resolve();
      };
      const onError = (err: Error): void => {
        client.off('connect', onConnect);
        client.end(true);
        reject(new Error(`cannot connect to MQTT broker ${this.url}: ${err.message}`));
      };
      client.once('connect', onConnect);
      client.once('error', onError);
    });
  }

  /**
   * Sends the PUBACK of a committed message, on the connection it came in on only: after a reconnect the
   * message id may name another message, and the broker redelivers the unacknowledged one anyway (persistent
   * session), which the unique (device, seq) index then stores once.
   */
  private ackLater(client: MqttClient, stream: unknown, messageId: number): void {
    if (this.client !== client || !client.connected || client.stream !== stream) return;
    (client as unknown as PacketSender)._sendPacket({ cmd: 'puback', messageId });
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Publishes as the cloud (config and commands). */
  async publish(topic: string, payload: Buffer, opts: { qos: 0 | 1; retain: boolean }): Promise<void> {
    if (!this.client) throw new Error('MQTT client not started');
    await this.client.publishAsync(topic, payload, opts);
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (c) await c.endAsync();
  }
}
