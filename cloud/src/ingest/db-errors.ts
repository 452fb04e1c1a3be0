/**
 * Which database errors blame the rows (retrying the same rows cannot help: isolate them) and which blame
 * the database (outage, lock, lost connection: retry the same rows later, acknowledgements held back).
 */

/** PostgreSQL SQLSTATE classes that blame the data: 22 data exception (bad text, out of range), 23 integrity. */
const PG_DATA_CLASSES = ['22', '23'];

/** better-sqlite3 error codes that blame the data. */
const SQLITE_DATA_CODES = /^SQLITE_(CONSTRAINT|TOOBIG|MISMATCH|RANGE)/;

export function errorCode(err: unknown): string | null {
  if (typeof err !== 'object' || err === null) return null;
  const e = err as { code?: unknown; driverError?: { code?: unknown } };
  const code = e.code ?? e.driverError?.code;
  return typeof code === 'string' ? code : null;
}

/** True when the error is about the rows themselves; false for unknown or transient errors. */
export function isDataError(err: unknown): boolean {
  const code = errorCode(err);
  if (!code) return false;
  if (/^[0-9A-Z]{5}$/.test(code)) return PG_DATA_CLASSES.includes(code.slice(0, 2));
  return SQLITE_DATA_CODES.test(code);
}

export function describeError(err: unknown): string {
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  return code ? `${code}: ${message}` : message;
}
