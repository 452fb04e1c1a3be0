import { BadRequestException, Body, Controller, Get, Param, Post, Put } from '@nestjs/common';
import { commandSchema, deviceConfigSchema, type DeviceConfig } from '@lectern/protocol';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { parseOr400 } from '../common/zod-body';
import { MqttService } from '../mqtt/mqtt.service';
import { AuditService } from '../ops/audit.service';
import { SLUG_RE } from '../rooms/slug';
import { deviceConfigYaml } from './config-yaml';
import { DevicesService, type DeviceView } from './devices.service';
import { FleetService, type CommandView } from './fleet.service';

const slug = z.string().regex(SLUG_RE, 'must be a lowercase slug (a-z, 0-9, "-", "_", at most 64)');
const configBody = deviceConfigSchema.omit({ v: true, revision: true, issuedAt: true });
const createBody = z.object({ id: slug, roomId: slug, roomName: z.string().min(1).max(200).optional() });

@ApiTags('devices')
@ApiBearerAuth()
@Controller('api/devices')
export class DevicesController {
  constructor(
    private readonly devices: DevicesService,
    private readonly mqtt: MqttService,
    private readonly audit: AuditService,
    private readonly fleet: FleetService,
  ) {}

  @Roles('installer')
  @Get()
  list(): Promise<DeviceView[]> {
    return this.devices.list();
  }

  @Roles('installer')
  @Post()
  async create(@CurrentUser() user: AuthUser, @Body() body: unknown) {
    const input = parseOr400(createBody, body);
    // Room creation is admin-only (POST /api/rooms); an installer places devices in existing rooms.
    const { device, username, password } = await this.devices.provision(input, {
      rotate: false,
      mayCreateRoom: user.role === 'admin',
    });
    await this.audit.record(user, 'device.create', `device:${device.id}`, { roomId: device.roomId });
    const configYaml = deviceConfigYaml({
      deviceId: device.id,
      roomId: device.roomId,
      mqttUrl: this.mqtt.url,
      username,
      password,
    });
    const qrPng = await QRCode.toDataURL(configYaml, { errorCorrectionLevel: 'M', margin: 2 });
    return { device, credentials: { username, password }, mqttUrl: this.mqtt.url, configYaml, qrPng };
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
