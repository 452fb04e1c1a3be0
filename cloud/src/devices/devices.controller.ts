import { Body, Controller, Get, Post } from '@nestjs/common';
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

const slug = z.string().regex(SLUG_RE, 'must be a lowercase slug (a-z, 0-9, "-", "_", at most 64)');
const createBody = z.object({ id: slug, roomId: slug, roomName: z.string().min(1).max(200).optional() });

@ApiTags('devices')
@ApiBearerAuth()
@Controller('api/devices')
export class DevicesController {
  constructor(
    private readonly devices: DevicesService,
    private readonly mqtt: MqttService,
    private readonly audit: AuditService,
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
    const { device, username, password } = await this.devices.provision(input, { rotate: false });
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
}
