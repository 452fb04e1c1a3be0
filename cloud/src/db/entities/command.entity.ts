import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../columns';

/** A command sent to a device and, once it answers, its response. */
@Entity('device_command')
@Index('IDX_device_command_device', ['deviceId', 'issuedAt'])
export class CommandEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  txId!: string;

  @Column({ type: 'varchar', length: 64 })
  deviceId!: string;

  @Column({ type: 'varchar', length: 32 })
  name!: string;

  @Column({ type: 'bigint', transformer: bigintNumber })
  issuedAt!: number;

  @Column({ type: 'text' })
  payload!: string;

  /** The device's CommandResponse as JSON; null until it answers. */
  @Column({ type: 'text', nullable: true })
  response!: string | null;

  @Column({ type: 'bigint', nullable: true, transformer: bigintNumber })
  respondedAt!: number | null;
}
