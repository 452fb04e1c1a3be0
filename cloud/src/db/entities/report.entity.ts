import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../columns';

/** A finished session's report, computed once when the session ends (JSON of the report contract). */
@Entity('report')
export class ReportEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  sessionId!: string;

  @Column({ type: 'bigint', transformer: bigintNumber })
  createdAt!: number;

  @Column({ type: 'text' })
  body!: string;
}
