import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from '../columns';

/** One device snapshot as received (raw time series, purged by the retention job). */
@Entity('snapshot')
@Index('UQ_snapshot_device_epoch_seq', ['deviceId', 'epoch', 'seq'], { unique: true })
@Index('IDX_snapshot_room_captured', ['roomId', 'capturedAt'])
@Index('IDX_snapshot_received', ['receivedAt'])
export class SnapshotEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 64 })
  deviceId!: string;

  @Column({ type: 'varchar', length: 64 })
  roomId!: string;

  @Column({ type: 'varchar', length: 36, nullable: true })
  sessionId!: string | null;

  /** The device's sequence epoch (protocol `epoch`; 0 for agents without one): dedupe is per epoch. */
  @Column({ type: 'integer', default: 0 })
  epoch!: number;

  @Column({ type: 'bigint', transformer: bigintNumber })
  seq!: number;

  @Column({ type: 'bigint', transformer: bigintNumber })
  capturedAt!: number;

  @Column({ type: 'bigint', transformer: bigintNumber })
  receivedAt!: number;

  @Column({ type: 'integer' })
  faces!: number;

  @Column({ type: 'double precision' })
  valence!: number;

  @Column({ type: 'double precision' })
  attention!: number;

  /** JSON number[7] in FER2013 order. */
  @Column({ type: 'text' })
  distribution!: string;

  /** JSON tracks ({id, p, frontal, ageS}[]): ephemeral ids only. */
  @Column({ type: 'text' })
  tracks!: string;

  @Column({ type: 'boolean' })
  emotionEnabled!: boolean;

  @Column({ type: 'varchar', length: 64 })
  modelId!: string;

  @Column({ type: 'varchar', length: 32 })
  modelVersion!: string;
}
