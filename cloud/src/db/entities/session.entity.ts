import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../columns';

import type { SessionSource } from '../../api/contract';

export type { SessionSource };
export type SessionStatus = 'active' | 'ended' | 'processing' | 'failed';

@Entity('session')
@Index('IDX_session_room_started', ['roomId', 'startedAt'])
export class SessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** Null for an uploaded video analysed without a room. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  roomId!: string | null;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'bigint', transformer: bigintNumber })
  startedAt!: number;

  @Column({ type: 'bigint', nullable: true, transformer: bigintNumber })
  endedAt!: number | null;

  @Column({ type: 'varchar', length: 16 })
  source!: SessionSource;

  @Column({ type: 'varchar', length: 16 })
  status!: SessionStatus;
}
