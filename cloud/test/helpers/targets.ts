import { PG_URL } from './cloud';

/** SQLite always; PostgreSQL when LECTERN_TEST_PG_URL is set (otherwise skipped with the reason printed). */
export const DB_TARGETS = [
  { db: 'sqlite' as const, skip: false, why: '' },
  { db: 'postgres' as const, skip: !PG_URL, why: 'LECTERN_TEST_PG_URL not set' },
];

export function announceSkip(what: string, t: { db: string; skip: boolean; why: string }): void {
  if (t.skip) console.warn(`skipping ${what} on ${t.db}: ${t.why}`);
}
