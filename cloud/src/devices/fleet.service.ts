import { randomBytes } from 'node:crypto';
import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { encode, topicFor, TOPICS, type Command, type DeviceConfig } from '@lectern/protocol';
import { DataSource } from 'typeorm';
import { CommandEntity, DeviceEntity } from '../db/entities';
import { MqttService } from '../mqtt/mqtt.service';

export type ConfigBody = Omit<DeviceConfig, 'v' | 'revision' | 'issuedAt'>;
export type CommandBody =
  { name: 'ping' } | { name: 'restart' } | Omit<Extract<Command, { name: 'model-update' }>, 'v' | 'txId' | 'issuedAt'>;

export interface CommandView {
  txId: string;
  deviceId: string;
  name: string;
  issuedAt: number;
  response: unknown;
  respondedAt: number | null;
}

/** Config push (retained, revisioned) and commands with responses, over the cloud's MQTT client. */
@Injectable()
export class FleetService {
  private readonly logger = new Logger('Fleet');

  constructor(
    private readonly ds: DataSource,
    private readonly mqtt: MqttService,
  ) {}

  /** Stores the next revision and publishes it retained, so an offline device gets it on reconnect. */
  async pushConfig(deviceId: string, body: ConfigBody): Promise<DeviceConfig> {
    const repo = this.ds.getRepository(DeviceEntity);
    const device = await repo.findOneBy({ id: deviceId });
    if (!device) throw new NotFoundException(`device ${deviceId} not found`);
    const config: DeviceConfig = { ...body, v: 1, revision: device.configRevision + 1, issuedAt: Date.now() };
    const payload = encode('config', config); // validates: a bad config never reaches a device
    await this.mqtt.publish(topicFor('config', deviceId), payload, { qos: TOPICS.config.qos, retain: true });
    await repo.update({ id: deviceId }, { configRevision: config.revision, configJson: payload.toString('utf8') });
    return config;
  }

  /** Re-publishes stored configs retained (an external broker may have lost its retained store). */
  async republishConfigs(): Promise<void> {
    const rows = await this.ds.getRepository(DeviceEntity).find({ select: ['id', 'configJson'] });
    for (const r of rows) {
      if (!r.configJson) continue;
      try {
        await this.mqtt.publish(topicFor('config', r.id), Buffer.from(r.configJson), { qos: 1, retain: true });
      } catch (err) {
        this.logger.warn(`could not republish config of ${r.id}: ${(err as Error).message}`);
      }
    }
  }

  async sendCommand(deviceId: string, body: CommandBody): Promise<{ txId: string }> {
    if (!(await this.ds.getRepository(DeviceEntity).existsBy({ id: deviceId })))
      throw new NotFoundException(`device ${deviceId} not found`);
    const txId = randomBytes(12).toString('base64url');
    const command = { ...body, v: 1, txId, issuedAt: Date.now() } as Command;
    const payload = encode('command', command);
    await this.ds.getRepository(CommandEntity).insert({
      txId,
      deviceId,
      name: command.name,
      issuedAt: command.issuedAt,
      payload: payload.toString('utf8'),
      response: null,
      respondedAt: null,
    });
    await this.mqtt.publish(topicFor('command', deviceId), payload, { qos: TOPICS.command.qos, retain: false });
    return { txId };
  }

  async command(deviceId: string, txId: string): Promise<CommandView> {
    const c = await this.ds.getRepository(CommandEntity).findOneBy({ deviceId, txId });
    if (!c) throw new NotFoundException(`command ${txId} of device ${deviceId} not found`);
    return {
      txId: c.txId,
      deviceId: c.deviceId,
      name: c.name,
      issuedAt: c.issuedAt,
      response: c.response ? (JSON.parse(c.response) as unknown) : null,
      respondedAt: c.respondedAt,
    };
  }
}
