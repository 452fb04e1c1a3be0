import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('building')
export class BuildingEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;
}
