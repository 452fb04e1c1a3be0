import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from '../columns';

/**
 * Dead letters of ingestion: a snapshot that passed validation but that the database refused on its own
 * (isolated from its batch, so other devices' rows were stored). Kept so the refusal is visible and
 * countable; the message was acknowledged, so the device does not resend it forever.
 */
@Entity('rejected_snapshot')
@Index('IDX_rejected_snapshot_at', ['rejectedAt'])
@Index('IDX_rejected_snapshot_device', ['deviceId', 'seq'])
export class RejectedSnapshotEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 64 })
  deviceId!: string;

  /** The snapshot's sequence number (-1 when it was not a safe integer). */
  @Column({ type: 'bigint', transformer: bigintNumber })
  seq!: number;

  /** The database's error (code and message). */
  @Column({ type: 'text' })
  reason!: string;

  /** The row as JSON, cut to 1,000 characters (control characters and lone surrogates escaped). */
  @Column({ type: 'text' })
  payload!: string;

  @Column({ type: 'bigint', transformer: bigintNumber })
  rejectedAt!: number;
}
