import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DeviceEntity } from '../db/entities';
import { deviceSecretMatches } from '../mqtt/credentials';

interface Known {
  roomId: string;
  credentialHash: string;
}

/**
 * In-memory view of registered devices: the broker authenticates and ingestion routes every message
 * with it, so neither waits on the database per message.
 */
@Injectable()
export class DeviceRegistry {
  private readonly devices = new Map<string, Known>();

  constructor(private readonly ds: DataSource) {}

  async load(): Promise<void> {
    const rows = await this.ds.getRepository(DeviceEntity).find({ select: ['id', 'roomId', 'credentialHash'] });
    this.devices.clear();
    for (const r of rows) this.devices.set(r.id, { roomId: r.roomId, credentialHash: r.credentialHash });
  }

  set(id: string, roomId: string, credentialHash: string): void {
    this.devices.set(id, { roomId, credentialHash });
  }

  delete(id: string): void {
    this.devices.delete(id);
  }

  roomOf(deviceId: string): string | null {
    return this.devices.get(deviceId)?.roomId ?? null;
  }

  checkSecret(deviceId: string, secret: string): boolean {
    const d = this.devices.get(deviceId);
    return d !== undefined && deviceSecretMatches(secret, d.credentialHash);
  }
}
