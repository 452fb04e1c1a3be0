import { AggregateEntity } from './aggregate.entity';
import { AlertEntity } from './alert.entity';
import { AuditEntity } from './audit.entity';
import { BuildingEntity } from './building.entity';
import { CommandEntity } from './command.entity';
import { DeviceEntity } from './device.entity';
import { DeviceHealthEntity } from './device-health.entity';
import { DeviceTelemetryEntity } from './device-telemetry.entity';
import { JobEntity } from './job.entity';
import { RejectedSnapshotEntity } from './rejected-snapshot.entity';
import { ReportEntity } from './report.entity';
import { RoomEntity } from './room.entity';
import { ScheduleSlotEntity } from './schedule-slot.entity';
import { SessionEntity } from './session.entity';
import { SnapshotEntity } from './snapshot.entity';
import { UserEntity } from './user.entity';

export * from './aggregate.entity';
export * from './alert.entity';
export * from './audit.entity';
export * from './building.entity';
export * from './command.entity';
export * from './device.entity';
export * from './device-health.entity';
export * from './device-telemetry.entity';
export * from './job.entity';
export * from './rejected-snapshot.entity';
export * from './report.entity';
export * from './room.entity';
export * from './schedule-slot.entity';
export * from './session.entity';
export * from './snapshot.entity';
export * from './user.entity';

export const ENTITIES = [
  AggregateEntity,
  AlertEntity,
  AuditEntity,
  BuildingEntity,
  CommandEntity,
  DeviceEntity,
  DeviceHealthEntity,
  DeviceTelemetryEntity,
  JobEntity,
  RejectedSnapshotEntity,
  ReportEntity,
  RoomEntity,
  ScheduleSlotEntity,
  SessionEntity,
  SnapshotEntity,
  UserEntity,
];
