import { randomBytes } from 'node:crypto';
import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { DeviceFaceSizes } from '../api/contract';
import { DeviceEntity } from '../db/entities';
import { hashDeviceSecret } from '../mqtt/credentials';
import { RoomsService } from '../rooms/rooms.service';
import { deviceFaceSizesOf } from './device-face-sizes';
import { DeviceRegistry } from './device-registry';

export interface DeviceView {
  id: string;
  roomId: string;
  status: 'online' | 'offline' | 'never';
  lastSeen: number | null;
  software: string | null;
  model: { id: string; version: string } | null;
  telemetry: DeviceEntity['telemetry'];
  /** From the latest telemetry; null from agents before the readable-size gate, or before any telemetry. */
  faceSizes: DeviceFaceSizes | null;
  configRevision: number;
}

export function toDeviceView(d: DeviceEntity): DeviceView {
  return {
    id: d.id,
    roomId: d.roomId,
    status: d.status,
    lastSeen: d.lastSeen,
    software: d.software,
    model: d.modelId && d.modelVersion ? { id: d.modelId, version: d.modelVersion } : null,
    telemetry: d.telemetry,
    faceSizes: d.telemetry?.faceSizes ? deviceFaceSizesOf(d.telemetry.faceSizes) : null,
    configRevision: d.configRevision,
  };
}

export interface ProvisionInput {
  id: string;
  roomId: string;
  /** When given and the room does not exist yet, it is created (building "Main" unless named). */
  roomName?: string | undefined;
  buildingName?: string | undefined;
}

/** Device registration: the one place credentials are made, for the installer API and for scripts. */
@Injectable()
export class DevicesService {
  constructor(
    private readonly ds: DataSource,
    private readonly rooms: RoomsService,
    private readonly registry: DeviceRegistry,
  ) {}

  /**
   * Registers a device and returns its MQTT credentials (the password exists only in this answer).
   * `rotate` re-issues credentials for an existing device (and moves it to `roomId`) instead of failing.
   */
  async provision(
    input: ProvisionInput,
    opts: {
      rotate: boolean;
      /** false: an unknown room fails instead of being created (installers). */ mayCreateRoom?: boolean;
    },
  ): Promise<{ device: DeviceView; username: string; password: string }> {
    // The embedded broker lets a device use `lectern-<id>` or its bare id as MQTT client id; a bare id
    // starting with `lectern-` could be another device's client id.
    if (input.id.startsWith('lectern-')) throw new BadRequestException('device ids must not start with "lectern-"');
    if (!(await this.rooms.exists(input.roomId))) {
      if (!input.roomName) throw new BadRequestException(`room ${input.roomId} does not exist`);
      if (opts.mayCreateRoom === false)
        throw new ForbiddenException(`room ${input.roomId} does not exist; only an admin can create rooms`);
      await this.rooms.create(
        { id: input.roomId, name: input.roomName, buildingName: input.buildingName ?? 'Main' },
        'keep',
      );
    }
    const repo = this.ds.getRepository(DeviceEntity);
    const existing = await repo.findOneBy({ id: input.id });
    if (existing && !opts.rotate) throw new ConflictException(`device ${input.id} already exists`);
    const password = randomBytes(18).toString('base64url');
    const credentialHash = hashDeviceSecret(password);
    let device: DeviceEntity;
    if (existing) {
      existing.roomId = input.roomId;
      existing.credentialHash = credentialHash;
      device = await repo.save(existing);
    } else {
      device = repo.create({
        id: input.id,
        roomId: input.roomId,
        credentialHash,
        status: 'never',
        lastSeen: null,
        software: null,
        modelId: null,
        modelVersion: null,
        telemetry: null,
        configRevision: 0,
        configJson: null,
        createdAt: Date.now(),
      });
      await repo.insert(device);
    }
    this.registry.set(device.id, device.roomId, credentialHash);
    return { device: toDeviceView(device), username: device.id, password };
  }

  async list(): Promise<DeviceView[]> {
    return (await this.ds.getRepository(DeviceEntity).find({ order: { id: 'ASC' } })).map(toDeviceView);
  }

  async get(id: string): Promise<DeviceEntity> {
    const d = await this.ds.getRepository(DeviceEntity).findOneBy({ id });
    if (!d) throw new NotFoundException(`device ${id} not found`);
    return d;
  }
}
