import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One weekly slot of a room's timetable; a 'schedule' session runs in the room while the slot is on. */
@Entity('schedule_slot')
@Index('IDX_schedule_slot_room', ['roomId'])
export class ScheduleSlotEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 64 })
  roomId!: string;

  /** 0 = Sunday ... 6 = Saturday, in the slot's time zone (same numbering as Date#getDay). */
  @Column({ type: 'integer' })
  weekday!: number;

  /** Wall-clock "HH:MM" in the slot's time zone. */
  @Column({ type: 'varchar', length: 5 })
  startTime!: string;

  /** Wall-clock "HH:MM" (exclusive), later than startTime; "24:00" ends at midnight. */
  @Column({ type: 'varchar', length: 5 })
  endTime!: string;

  /** IANA zone; null follows the cloud's zone, so a timetable moves with the deployment. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  timeZone!: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  title!: string | null;
}
