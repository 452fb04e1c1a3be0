import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../columns';

/** What a device last said about the pushed config (from its `config` responses). */
@Entity('device_health')
export class DeviceHealthEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  deviceId!: string;

  /** Highest config revision the device reported as applied; null before any answer. */
  @Column({ type: 'integer', nullable: true })
  configAppliedRevision!: number | null;

  @Column({ type: 'bigint', nullable: true, transformer: bigintNumber })
  configAppliedAt!: number | null;

  /** Revision the device refused last, with its reason; cleared when a later revision is applied. */
  @Column({ type: 'integer', nullable: true })
  configRefusedRevision!: number | null;

  @Column({ type: 'text', nullable: true })
  configError!: string | null;
}
