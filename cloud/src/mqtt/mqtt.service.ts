import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOUD_CONFIG } from '../config/config.tokens';
import type { CloudConfig } from '../config/cloud-config';
import { randomPassword } from '../config/secrets';
import { DeviceRegistry } from '../devices/device-registry';
import { IngestService } from '../ingest/ingest.service';
import { MqttIngestClient } from '../ingest/mqtt-ingest-client';
import { EmbeddedBroker } from './embedded-broker';

/** Owns the embedded broker (when configured) and the cloud's own MQTT client. */
@Injectable()
export class MqttService {
  private readonly logger = new Logger('Mqtt');
  broker: EmbeddedBroker | null = null;
  private client: MqttIngestClient | null = null;
  /** URL devices should use (the embedded broker's, or the external one). */
  url = '';

  constructor(
    @Inject(CLOUD_CONFIG) private readonly config: CloudConfig,
    private readonly registry: DeviceRegistry,
    private readonly ingest: IngestService,
  ) {}

  async start(): Promise<void> {
    let username = this.config.mqttUsername;
    let password = this.config.mqttPassword;
    if (this.config.mqttUrl === null) {
      // A fresh service credential each boot: nothing to leak from disk, nothing to configure.
      username = 'lectern-cloud';
      password = randomPassword(24);
      const broker = new EmbeddedBroker({
        serviceUsername: username,
        servicePassword: password,
        checkDevice: (id, secret) => Promise.resolve(this.registry.checkSecret(id, secret)),
      });
      const port = await broker.listen(
        this.config.mqttPort === 'auto' ? 0 : this.config.mqttPort,
        this.config.mqttHost,
      );
      this.broker = broker;
      const host = ['0.0.0.0', '::'].includes(this.config.mqttHost) ? '127.0.0.1' : this.config.mqttHost;
      this.url = `mqtt://${host}:${port}`;
      this.logger.log(`embedded MQTT broker on ${this.config.mqttHost}:${port}`);
    } else {
      this.url = this.config.mqttUrl;
    }
    const client = new MqttIngestClient(this.url, { username, password }, (t, p) => this.ingest.handle(t, p));
    try {
      await client.start();
    } catch (err) {
      await this.broker?.close();
      this.broker = null;
      throw err;
    }
    this.client = client;
  }

  get healthy(): boolean {
    return this.client?.connected ?? false;
  }

  async publish(topic: string, payload: Buffer, opts: { qos: 0 | 1; retain: boolean }): Promise<void> {
    if (!this.client) throw new Error('MQTT not started');
    await this.client.publish(topic, payload, opts);
  }

  async stop(): Promise<void> {
    await this.client?.stop();
    this.client = null;
    await this.broker?.close();
    this.broker = null;
  }
}
