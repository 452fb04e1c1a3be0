import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('room')
@Index('IDX_room_building', ['buildingId'])
export class RoomEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 64 })
  buildingId!: string;

  /** Null uses LECTERN_MIN_GROUP_SIZE; a room may only raise it (privacy floor). */
  @Column({ type: 'integer', nullable: true })
  minGroupSize!: number | null;
}
