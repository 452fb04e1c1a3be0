import type { ValueTransformer } from 'typeorm';

/** Postgres returns BIGINT as a string; epoch milliseconds and seq fit in a JS number. */
export const bigintNumber: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | number | null) => (v === null || v === undefined ? null : Number(v)),
};

/** JSON kept in a TEXT column (same type on SQLite and Postgres, so one migration shape). */
export function jsonText<T>(): ValueTransformer {
  return {
    to: (v: T | null | undefined) => (v === null || v === undefined ? null : JSON.stringify(v)),
    from: (v: string | null) => (v === null || v === undefined ? null : (JSON.parse(v) as T)),
  };
}
