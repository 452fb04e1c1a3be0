import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from '../columns';

export type Resolution = '1s' | '1m';

/** A room (and, while one runs, session) aggregate over one 1 s or 1 min bucket; kept after retention. */
@Entity('aggregate')
@Index('IDX_aggregate_room_res_ts', ['roomId', 'resolution', 'ts'])
@Index('IDX_aggregate_session_res_ts', ['sessionId', 'resolution', 'ts'])
export class AggregateEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 64, nullable: true })
  roomId!: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  sessionId!: string | null;

  @Column({ type: 'varchar', length: 2 })
  resolution!: Resolution;

  /** Bucket start, epoch ms. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  ts!: number;

  /** Mean face count over the bucket. */
  @Column({ type: 'double precision' })
  faces!: number;

  /** Mean read face count over the bucket (`readFacesOf`): the faces its emotion figures stand for. */
  @Column({ type: 'double precision' })
  read!: number;

  @Column({ type: 'integer' })
  peakFaces!: number;

  /** Null when no emotion data was available in the bucket (inference off). */
  @Column({ type: 'double precision', nullable: true })
  valence!: number | null;

  /** Null when nobody was seen in the bucket. */
  @Column({ type: 'double precision', nullable: true })
  attention!: number | null;

  /** JSON number[7]; null like valence. */
  @Column({ type: 'text', nullable: true })
  distribution!: string | null;

  @Column({ type: 'integer' })
  samples!: number;
}
