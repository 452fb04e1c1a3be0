import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from '../columns';

/**
 * Device health history: one row per telemetry message (at most one per device every 10 s), kept for
 * LECTERN_HEALTH_HISTORY_DAYS. Feeds the per-device charts and the fps-drop baseline.
 */
@Entity('device_telemetry')
@Index('IDX_device_telemetry_device_ts', ['deviceId', 'ts'])
@Index('IDX_device_telemetry_ts', ['ts'])
export class DeviceTelemetryEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 64 })
  deviceId!: string;

  /** When the cloud received it, epoch ms (the device's own clock may be off). */
  @Column({ type: 'bigint', transformer: bigintNumber })
  ts!: number;

  @Column({ type: 'double precision' })
  fps!: number;

  @Column({ type: 'double precision' })
  cpuPercent!: number;

  @Column({ type: 'double precision', nullable: true })
  temperatureC!: number | null;

  @Column({ type: 'integer' })
  outboxDepth!: number;

  /** The frame source's state: ok, connecting, reconnecting, ended or failed. */
  @Column({ type: 'varchar', length: 16 })
  sourceState!: string;
}
