import { Initial1764000000000 as PgInitial } from './postgres/1764000000000-initial';
import { Initial1764000000000 as SqliteInitial } from './sqlite/1764000000000-initial';

/** Listed explicitly (no globs) so the same list works from src/ under vitest and from dist/. */
export const SQLITE_MIGRATIONS = [SqliteInitial];
export const POSTGRES_MIGRATIONS = [PgInitial];
