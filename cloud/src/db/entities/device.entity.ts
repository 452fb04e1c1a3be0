import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { Telemetry } from '@lectern/protocol';
import type { DeviceState } from '../../alerts/alert-view';
import { bigintNumber, jsonText } from '../columns';

export type FaceSizes = NonNullable<Telemetry['faceSizes']>;

export type { DeviceState };

export interface DeviceTelemetrySummary {
  fps: number;
  temperatureC: number | null;
  outboxDepth: number;
  cpuPercent: number;
  ts: number;
  /** Faces seen per FACE_SIZE_BINS_PX bin and the readable size in force; absent from agents before the size gate. */
  faceSizes?: FaceSizes;
}

@Entity('device')
@Index('IDX_device_room', ['roomId'])
export class DeviceEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  roomId!: string;

  /** A label people give the device ("front camera"); its id stays its MQTT identity. Null: none. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  name!: string | null;

  /** sha256 of the device's 144-bit random MQTT password (high entropy, so no slow KDF is needed). */
  @Column({ type: 'varchar', length: 128 })
  credentialHash!: string;

  @Column({ type: 'varchar', length: 16, default: 'never' })
  status!: DeviceState;

  @Column({ type: 'bigint', nullable: true, transformer: bigintNumber })
  lastSeen!: number | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  software!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  modelId!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  modelVersion!: string | null;

  @Column({ type: 'text', nullable: true, transformer: jsonText<DeviceTelemetrySummary>() })
  telemetry!: DeviceTelemetrySummary | null;

  @Column({ type: 'integer', default: 0 })
  configRevision!: number;

  /** Last config pushed (JSON), re-published retained after a broker restart. */
  @Column({ type: 'text', nullable: true })
  configJson!: string | null;

  @Column({ type: 'bigint', transformer: bigintNumber })
  createdAt!: number;
}
