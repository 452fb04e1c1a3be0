import { Logger } from '@nestjs/common';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { CLOUD_SUBSCRIPTIONS } from '../mqtt/acl';

export type MessageHandler = (topic: string, payload: Buffer) => Promise<void> | null;

/**
 * The cloud's consumer on an external broker (the embedded one delivers in-process). Messages are handled in
 * `handleMessage`, whose callback mqtt.js waits for before acking and reading on: a slow database thus
 * slows the broker's delivery instead of filling memory.
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
    this.client = client;
    client.handleMessage = (packet, callback) => {
      let wait: Promise<void> | null = null;
      try {
        const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
        wait = this.onMessage(packet.topic, payload);
      } catch (err) {
        this.logger.error(`message handler failed: ${(err as Error).message}`);
      }
      if (wait)
        wait.then(
          () => callback(),
          () => callback(),
        );
      else callback();
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
