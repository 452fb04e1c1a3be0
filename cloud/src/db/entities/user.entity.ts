import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintNumber, jsonText } from '../columns';

export type Role = 'admin' | 'speaker' | 'installer';
export const ROLES: readonly Role[] = ['admin', 'speaker', 'installer'];

@Entity('app_user')
@Index('UQ_app_user_username', ['username'], { unique: true })
export class UserEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  username!: string;

  /** bcrypt hash. */
  @Column({ type: 'varchar', length: 100 })
  passwordHash!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: Role;

  /** Rooms a speaker (or installer) is scoped to; admins see everything. */
  @Column({ type: 'text', transformer: jsonText<string[]>() })
  roomIds!: string[];

  @Column({ type: 'bigint', transformer: bigintNumber })
  createdAt!: number;

  /** The password was generated (first-run admin, admin reset): the user must choose one before anything else. */
  @Column({ type: 'boolean', default: false })
  mustChangePassword!: boolean;

  /** Bumped on every password change or reset: access tokens carry it, older ones stop working. */
  @Column({ type: 'integer', default: 0 })
  tokenVersion!: number;
}
