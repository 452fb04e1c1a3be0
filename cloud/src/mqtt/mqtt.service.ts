import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOUD_CONFIG } from '../config/config.tokens';
import type { CloudConfig } from '../config/cloud-config';
import { randomPassword } from '../config/secrets';
import { DeviceRegistry } from '../devices/device-registry';
import { IngestService } from '../ingest/ingest.service';
import { MqttIngestClient } from '../ingest/mqtt-ingest-client';
import { CLOUD_SUBSCRIPTIONS } from './acl';
import { EmbeddedBroker } from './embedded-broker';

/**
 * Owns the embedded broker (when configured) or the cloud's MQTT client for an external broker. The embedded
 * broker hands messages to ingestion in-process; an external one is read by a persistent-session client.
 */
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
    if (this.config.mqttUrl === null) await this.startEmbedded();
    else await this.startClient(this.config.mqttUrl);
  }

  private async startEmbedded(): Promise<void> {
    // Ingestion reads the broker in-process, so no cloud client logs in; the service credential is random and
    // never shown, which leaves the cloud's publish/subscribe rights to no MQTT connection at all.
    const broker = new EmbeddedBroker(
      {
        serviceUsername: 'lectern-cloud',
        servicePassword: randomPassword(24),
        checkDevice: (id, secret) => Promise.resolve(this.registry.checkSecret(id, secret)),
        serviceClientIds: [this.config.mqttClientId],
      },
      { maxPacketBytes: this.config.mqttMaxPacketBytes, maxRetainedBytes: this.config.mqttMaxRetainedBytes },
    );
    // Subscribed before the port opens: no device can publish into a broker nobody reads yet.
    await broker.subscribe(CLOUD_SUBSCRIPTIONS, (t, p) => this.ingest.handle(t, p));
    let port: number;
    try {
      port = await broker.listen(this.config.mqttPort === 'auto' ? 0 : this.config.mqttPort, this.config.mqttHost);
    } catch (err) {
      await broker.close();
      throw err;
    }
    this.broker = broker;
    const host = ['0.0.0.0', '::'].includes(this.config.mqttHost) ? '127.0.0.1' : this.config.mqttHost;
    this.url = `mqtt://${host}:${port}`;
    this.logger.log(`embedded MQTT broker on ${this.config.mqttHost}:${port}`);
  }

  private async startClient(url: string): Promise<void> {
    this.url = url;
    const client = new MqttIngestClient(
      url,
      { username: this.config.mqttUsername, password: this.config.mqttPassword, clientId: this.config.mqttClientId },
      (t, p) => this.ingest.handle(t, p),
    );
    await client.start();
    this.client = client;
  }

  get healthy(): boolean {
    return this.broker ? this.broker.listening : (this.client?.connected ?? false);
  }

  /**
   * Closes a deleted or re-keyed device's broker connection at once. Embedded broker only: an external broker
   * keeps its own credentials (see docs/fleet.md), so this returns false there.
   */
  disconnectDevice(deviceId: string): boolean {
    if (!this.broker) return false;
    this.broker.disconnectDevice(deviceId);
    return true;
  }

  /** Whether device credentials live in this cloud (embedded broker) rather than in an external broker. */
  get managesCredentials(): boolean {
    return this.broker !== null;
  }

  async publish(topic: string, payload: Buffer, opts: { qos: 0 | 1; retain: boolean }): Promise<void> {
    if (this.broker) return this.broker.publish(topic, payload, opts);
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
