import { Initial1764000000000 as PgInitial } from './postgres/1764000000000-initial';
import { RoomSchedule1764100000000 as PgRoomSchedule } from './postgres/1764100000000-room-schedule';
import { AggregateRead1764200000000 as PgAggregateRead } from './postgres/1764200000000-aggregate-read';
import { RejectedSnapshot1764300000000 as PgRejectedSnapshot } from './postgres/1764300000000-rejected-snapshot';
import { SnapshotEpoch1764400000000 as PgSnapshotEpoch } from './postgres/1764400000000-snapshot-epoch';
import { Lifecycle1764500000000 as PgLifecycle } from './postgres/1764500000000-lifecycle';
import { HealthAlerts1764600000000 as PgHealthAlerts } from './postgres/1764600000000-health-alerts';
import { Initial1764000000000 as SqliteInitial } from './sqlite/1764000000000-initial';
import { RoomSchedule1764100000000 as SqliteRoomSchedule } from './sqlite/1764100000000-room-schedule';
import { AggregateRead1764200000000 as SqliteAggregateRead } from './sqlite/1764200000000-aggregate-read';
import { RejectedSnapshot1764300000000 as SqliteRejectedSnapshot } from './sqlite/1764300000000-rejected-snapshot';
import { SnapshotEpoch1764400000000 as SqliteSnapshotEpoch } from './sqlite/1764400000000-snapshot-epoch';
import { Lifecycle1764500000000 as SqliteLifecycle } from './sqlite/1764500000000-lifecycle';
import { HealthAlerts1764600000000 as SqliteHealthAlerts } from './sqlite/1764600000000-health-alerts';

/** Listed explicitly (no globs) so the same list works from src/ under vitest and from dist/. */
export const SQLITE_MIGRATIONS = [
  SqliteInitial,
  SqliteRoomSchedule,
  SqliteAggregateRead,
  SqliteRejectedSnapshot,
  SqliteSnapshotEpoch,
  SqliteLifecycle,
  SqliteHealthAlerts,
];
export const POSTGRES_MIGRATIONS = [
  PgInitial,
  PgRoomSchedule,
  PgAggregateRead,
  PgRejectedSnapshot,
  PgSnapshotEpoch,
  PgLifecycle,
  PgHealthAlerts,
];
