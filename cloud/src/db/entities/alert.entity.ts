import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from '../columns';

import type { AlertState } from '../../alerts/alert-view';

export type { AlertState };

/** One occurrence of an alert rule on one device, from firing (possibly acknowledged) to resolved. */
@Entity('alert')
@Index('IDX_alert_state', ['state', 'firedAt'])
@Index('IDX_alert_device_rule', ['deviceId', 'rule'])
export class AlertEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 32 })
  rule!: string;

  @Column({ type: 'varchar', length: 16 })
  severity!: string;

  @Column({ type: 'varchar', length: 64 })
  deviceId!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  roomId!: string | null;

  @Column({ type: 'varchar', length: 16 })
  state!: AlertState;

  /** What happened, in words (updated while it fires, e.g. the latest temperature). */
  @Column({ type: 'text' })
  message!: string;

  @Column({ type: 'double precision', nullable: true })
  value!: number | null;

  @Column({ type: 'double precision', nullable: true })
  threshold!: number | null;

  @Column({ type: 'bigint', transformer: bigintNumber })
  firedAt!: number;

  @Column({ type: 'bigint', nullable: true, transformer: bigintNumber })
  acknowledgedAt!: number | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  acknowledgedBy!: string | null;

  @Column({ type: 'bigint', nullable: true, transformer: bigintNumber })
  resolvedAt!: number | null;
}
