import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../columns';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** An uploaded-video analysis job; persisted so queued jobs survive a restart. */
@Entity('job')
@Index('IDX_job_status', ['status', 'createdAt'])
export class JobEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: JobStatus;

  @Column({ type: 'double precision', default: 0 })
  progress!: number;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  sessionId!: string | null;

  @Column({ type: 'varchar', length: 255 })
  filename!: string;

  /** Where the upload was streamed to, inside the data dir. */
  @Column({ type: 'varchar', length: 1024 })
  path!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  roomId!: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  title!: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  userId!: string | null;

  @Column({ type: 'bigint', transformer: bigintNumber })
  createdAt!: number;

  @Column({ type: 'bigint', transformer: bigintNumber })
  updatedAt!: number;
}
