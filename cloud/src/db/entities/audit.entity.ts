import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from '../columns';

/** Who viewed or exported what, and every change an admin or installer made. */
@Entity('audit_log')
@Index('IDX_audit_ts', ['ts'])
export class AuditEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'bigint', transformer: bigintNumber })
  ts!: number;

  @Column({ type: 'varchar', length: 36, nullable: true })
  userId!: string | null;

  @Column({ type: 'varchar', length: 64 })
  username!: string;

  @Column({ type: 'varchar', length: 64 })
  action!: string;

  @Column({ type: 'varchar', length: 200 })
  target!: string;

  @Column({ type: 'text', nullable: true })
  detail!: string | null;
}
