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
import { topicFor } from '@lectern/protocol';
import { DeviceEntity } from '../db/entities';
import { LiveService } from '../live/live.service';
import { hashDeviceSecret } from '../mqtt/credentials';
import { MqttService } from '../mqtt/mqtt.service';
import { RoomsService } from '../rooms/rooms.service';
import { deviceFaceSizesOf } from './device-face-sizes';
import { DeviceRegistry } from './device-registry';

export interface DeviceView {
  id: string;
  /** A label people gave the device; null: none (show the id). */
  name: string | null;
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
    name: d.name ?? null,
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
    private readonly live: LiveService,
    private readonly mqtt: MqttService,
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
    const movedFrom = existing && existing.roomId !== input.roomId ? existing.roomId : null;
    if (existing) {
      existing.roomId = input.roomId;
      existing.credentialHash = credentialHash;
      device = await repo.save(existing);
    } else {
      device = repo.create({
        id: input.id,
        name: null,
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
    if (existing) this.revokeConnection(device.id);
    if (movedFrom !== null) this.live.dropDevice(device.id);
    return { device: toDeviceView(device), username: device.id, password };
  }

  /**
   * Renames (label) and/or moves a device. A move takes effect at once: its live contribution leaves the old
   * room and its next snapshots count for the new one; what it recorded before stays with the old room.
   */
  async update(
    id: string,
    patch: { name?: string | null | undefined; roomId?: string | undefined },
  ): Promise<{ device: DeviceView; movedFrom: string | null }> {
    const repo = this.ds.getRepository(DeviceEntity);
    const device = await this.get(id);
    let movedFrom: string | null = null;
    if (patch.roomId !== undefined && patch.roomId !== device.roomId) {
      if (!(await this.rooms.exists(patch.roomId)))
        throw new BadRequestException(`Room ${patch.roomId} does not exist: create it first or pick another room.`);
      movedFrom = device.roomId;
      device.roomId = patch.roomId;
    }
    if (patch.name !== undefined)
      device.name = patch.name === null || patch.name.trim() === '' ? null : patch.name.trim();
    await repo.update({ id }, { roomId: device.roomId, name: device.name });
    if (movedFrom !== null) {
      this.registry.set(id, device.roomId, device.credentialHash);
      this.live.dropDevice(id);
    }
    return { device: toDeviceView(device), movedFrom };
  }

  /** New MQTT credentials for a device; the old password stops working and its connection is closed at once. */
  async rotate(id: string): Promise<{ device: DeviceView; username: string; password: string }> {
    const device = await this.get(id);
    return this.provision({ id, roomId: device.roomId }, { rotate: true });
  }

  /**
   * Deletes a device: the broker refuses its credentials from now on and its connection is closed at once
   * (embedded broker); its recorded snapshots stay with the rooms they were recorded in.
   */
  async remove(id: string): Promise<DeviceView> {
    const device = await this.get(id);
    await this.ds.getRepository(DeviceEntity).delete({ id });
    this.registry.delete(id);
    this.revokeConnection(id);
    this.live.dropDevice(id);
    // A device later registered under the same id must not receive this one's retained config.
    try {
      await this.mqtt.publish(topicFor('config', id), Buffer.alloc(0), { qos: 1, retain: true });
    } catch {
      // Broker unreachable: the retained config is replaced by the next config push anyway.
    }
    return toDeviceView(device);
  }

  /** Closes the device's live broker connection (embedded broker); false when the broker is external. */
  revokeConnection(id: string): boolean {
    return this.mqtt.disconnectDevice(id);
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
