import { Initial1764000000000 as PgInitial } from './postgres/1764000000000-initial';
import { RoomSchedule1764100000000 as PgRoomSchedule } from './postgres/1764100000000-room-schedule';
import { Initial1764000000000 as SqliteInitial } from './sqlite/1764000000000-initial';
import { RoomSchedule1764100000000 as SqliteRoomSchedule } from './sqlite/1764100000000-room-schedule';

/** Listed explicitly (no globs) so the same list works from src/ under vitest and from dist/. */
export const SQLITE_MIGRATIONS = [SqliteInitial, SqliteRoomSchedule];
export const POSTGRES_MIGRATIONS = [PgInitial, PgRoomSchedule];
