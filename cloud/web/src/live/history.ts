// The live charts' history: the stored 1 s timeline fetched on load, continued by the live stream.

export interface HistoryPoint {
  ts: number;
}

/** Live events arrive several times a second; the history keeps one point per second, the latest. */
export const HISTORY_STEP_MS = 1000;

/**
 * Appends a live point. A point in the same second as the last one replaces it; one older than the last
 * (a replay after a reconnect) is dropped. Points older than `keepFrom` are let go.
 */
export function appendPoint<P extends HistoryPoint>(prev: readonly P[], point: P, keepFrom = -Infinity): P[] {
  const last = prev[prev.length - 1];
  if (last && point.ts < last.ts) return prev as P[];
  const sameBucket =
    last !== undefined && Math.floor(last.ts / HISTORY_STEP_MS) === Math.floor(point.ts / HISTORY_STEP_MS);
  const base = sameBucket ? prev.slice(0, -1) : prev;
  const first = base[0];
  const kept = first !== undefined && first.ts < keepFrom ? base.filter((p) => p.ts >= keepFrom) : base;
  return [...kept, point];
}

/** The fetched history, sorted, followed by the live points newer than its last point. */
export function mergeHistory<P extends HistoryPoint>(history: readonly P[], live: readonly P[]): P[] {
  const sorted = [...history].sort((a, b) => a.ts - b.ts);
  const end = sorted[sorted.length - 1]?.ts ?? -Infinity;
  return [...sorted, ...live.filter((p) => p.ts > end)];
}
