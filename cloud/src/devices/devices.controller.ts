import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Put,
  Req,
} from '@nestjs/common';
import type { Request } from 'express';
import { commandSchema, deviceConfigSchema, type DeviceConfig } from '@lectern/protocol';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { parseOr400 } from '../common/zod-body';
import { CLOUD_CONFIG } from '../config/config.tokens';
import type { CloudConfig } from '../config/cloud-config';
import { MqttService } from '../mqtt/mqtt.service';
import { AuditService } from '../ops/audit.service';
import { SLUG_RE } from '../rooms/slug';
import { deviceConfigYaml } from './config-yaml';
import { DevicesService, type DeviceView } from './devices.service';
import { FleetService, type CommandView } from './fleet.service';
import { deviceBrokerUrl, deviceInstallUrl, publicEndpoints, type PublicEndpoints } from './public-endpoints';

const slug = z.string().regex(SLUG_RE, 'must be a lowercase slug (a-z, 0-9, "-", "_", at most 64)');
const configBody = deviceConfigSchema.omit({ v: true, revision: true, issuedAt: true });
const createBody = z.object({ id: slug, roomId: slug, roomName: z.string().min(1).max(200).optional() });
const patchBody = z
  .object({ name: z.string().max(200).nullable().optional(), roomId: slug.optional() })
  .strict()
  .refine((b) => b.name !== undefined || b.roomId !== undefined, 'send a new name, a new roomId, or both');

/** What an installer gets for a new or re-keyed device: the password exists only in this answer. */
export interface DeviceCredentialsResponse {
  device: DeviceView;
  credentials: { username: string; password: string };
  /** The broker URL in device.yaml (the first public one). */
  mqttUrl: string;
  /** Every public broker URL (LECTERN_PUBLIC_MQTT_URL), first one in device.yaml. */
  mqttUrls: string[];
  configYaml: string;
  /** The device's install page on the dashboard; null when the cloud has no public address for people. */
  installUrl: string | null;
  /** QR code of `installUrl` (never the password or the config); null without installUrl. */
  qrPng: string | null;
}

/** What happened to the device's broker access when it was deleted or re-keyed. */
export interface BrokerAccess {
  /** 'revoked': the embedded broker refuses the old credentials and closed the connection. 'external': see note. */
  broker: 'revoked' | 'external';
  note: string | null;
}

@ApiTags('devices')
@ApiBearerAuth()
@Controller('api/devices')
export class DevicesController {
  constructor(
    private readonly devices: DevicesService,
    private readonly mqtt: MqttService,
    private readonly audit: AuditService,
    private readonly fleet: FleetService,
    @Inject(CLOUD_CONFIG) private readonly config: CloudConfig,
  ) {}

  @Roles('installer')
  @Get()
  list(): Promise<DeviceView[]> {
    return this.devices.list();
  }

  /** The broker and dashboard addresses the cloud hands out, and why it cannot when it cannot. */
  @Roles('installer')
  @Get('endpoints')
  endpoints(@Req() req: Request): PublicEndpoints {
    return this.endpointsFor(req);
  }

  private endpointsFor(req: Request): PublicEndpoints {
    const host = req.get('host');
    return publicEndpoints(this.config, this.mqtt.url, host ? `${req.protocol}://${host}` : null);
  }

  private async credentialsResponse(
    req: Request,
    endpoints: PublicEndpoints,
    issued: { device: DeviceView; username: string; password: string },
  ): Promise<DeviceCredentialsResponse> {
    const mqttUrl = deviceBrokerUrl(endpoints);
    const configYaml = deviceConfigYaml({
      deviceId: issued.device.id,
      roomId: issued.device.roomId,
      mqttUrl,
      username: issued.username,
      password: issued.password,
    });
    const installUrl = endpoints.webUrl ? deviceInstallUrl(endpoints.webUrl, issued.device.id) : null;
    const qrPng = installUrl ? await QRCode.toDataURL(installUrl, { errorCorrectionLevel: 'M', margin: 2 }) : null;
    return {
      device: issued.device,
      credentials: { username: issued.username, password: issued.password },
      mqttUrl,
      mqttUrls: endpoints.mqttUrls,
      configYaml,
      installUrl,
      qrPng,
    };
  }

  private brokerAccess(revoked: boolean, deviceId: string, what: 'deleted' | 'rotated'): BrokerAccess {
    if (revoked) return { broker: 'revoked', note: null };
    return {
      broker: 'external',
      note:
        what === 'deleted'
          ? `This cloud uses an external broker (LECTERN_MQTT_URL), which keeps its own device accounts: remove ${deviceId} there too (Mosquitto: mosquitto_ctrl dynsec deleteClient ${deviceId} and deleteRole device-${deviceId}). Until then the broker accepts it, but the cloud ignores its messages.`
          : `This cloud uses an external broker (LECTERN_MQTT_URL), which keeps its own device accounts: set the new password there too (Mosquitto: mosquitto_ctrl dynsec setClientPassword ${deviceId} <new password>), or the device cannot connect with it.`,
    };
  }

  @Roles('installer')
  @Post()
  async create(
    @CurrentUser() user: AuthUser,
    @Req() req: Request,
    @Body() body: unknown,
  ): Promise<DeviceCredentialsResponse> {
    const input = parseOr400(createBody, body);
    // Refused before anything is created: a device whose config points nowhere is of no use.
    const endpoints = this.endpointsFor(req);
    deviceBrokerUrl(endpoints);
    // Room creation is admin-only (POST /api/rooms); an installer places devices in existing rooms.
    const { device, username, password } = await this.devices.provision(input, {
      rotate: false,
      mayCreateRoom: user.role === 'admin',
    });
    await this.audit.record(user, 'device.create', `device:${device.id}`, { roomId: device.roomId });
    return this.credentialsResponse(req, endpoints, { device, username, password });
  }

  /** Installer or admin: new credentials; the old password is refused from now on and the device disconnected. */
  @Roles('installer')
  @Post(':id/credentials')
  async rotate(
    @CurrentUser() user: AuthUser,
    @Req() req: Request,
    @Param('id') id: string,
  ): Promise<DeviceCredentialsResponse & BrokerAccess> {
    const endpoints = this.endpointsFor(req);
    deviceBrokerUrl(endpoints);
    const issued = await this.devices.rotate(id);
    const access = this.brokerAccess(this.mqtt.managesCredentials, id, 'rotated');
    await this.audit.record(user, 'device.rotate', `device:${id}`, { broker: access.broker });
    return { ...(await this.credentialsResponse(req, endpoints, issued)), ...access };
  }

  /** Admin only. Body: { name?, roomId? }: a new label and/or a move to another room. */
  @Patch(':id')
  async update(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() body: unknown): Promise<DeviceView> {
    const input = parseOr400(patchBody, body);
    const before = await this.devices.get(id);
    const { device, movedFrom } = await this.devices.update(id, input);
    if (input.name !== undefined && (before.name ?? null) !== device.name)
      await this.audit.record(user, 'device.rename', `device:${id}`, { from: before.name, to: device.name });
    if (movedFrom !== null)
      await this.audit.record(user, 'device.move', `device:${id}`, { from: movedFrom, to: device.roomId });
    return device;
  }

  /** Admin only: the broker refuses the device's credentials from now on; its recorded data stays. */
  @Delete(':id')
  @HttpCode(200)
  async remove(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<{ device: DeviceView } & BrokerAccess> {
    const device = await this.devices.remove(id);
    const access = this.brokerAccess(this.mqtt.managesCredentials, id, 'deleted');
    await this.audit.record(user, 'device.delete', `device:${id}`, { roomId: device.roomId, broker: access.broker });
    return { device, ...access };
  }

  /** Admin only. Body: DeviceConfig without v / revision / issuedAt. */
  @Put(':id/config')
  async putConfig(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<DeviceConfig> {
    const input = parseOr400(configBody, body);
    const config = await this.fleet.pushConfig(id, input);
    await this.audit.record(user, 'device.config', `device:${id}`, { revision: config.revision });
    return config;
  }

  /** Admin only: ping, restart or model-update; the device's answer appears under /commands/:txId. */
  @Post(':id/commands')
  async command(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<{ txId: string }> {
    if (typeof body !== 'object' || body === null)
      throw new BadRequestException('invalid body: expected a JSON object');
    const full = parseOr400(commandSchema, { ...body, v: 1, txId: 'placeholder', issuedAt: 0 });
    const { v: _v, txId: _t, issuedAt: _i, ...rest } = full;
    const result = await this.fleet.sendCommand(id, rest);
    await this.audit.record(user, 'device.command', `device:${id}`, { name: rest.name, txId: result.txId });
    return result;
  }

  @Get(':id/commands/:txId')
  commandStatus(@Param('id') id: string, @Param('txId') txId: string): Promise<CommandView> {
    return this.fleet.command(id, txId);
  }
}
