// Smoothing of the live figures: a time-based exponential moving average that copes with irregular sample
// times (1 s history buckets, several SSE events a second) and with gaps (privacy-hidden periods, outages).

/**
 * Time constant of the live trend, in ms. After a step change the average has moved 63 % of the way in
 * 10 s, 86 % in 20 s and 95 % in 30 s; a single 1 s sample moves it by about 10 %. Documented in
 * docs/metrics.md ("Live view: smoothing and the listener summary").
 */
export const EMA_TAU_MS = 10_000;

/** A hole longer than this (no sample, or a withheld value) restarts the average at the next sample. */
export const EMA_MAX_GAP_MS = 5_000;

export interface SmoothingOptions {
  tauMs?: number;
  maxGapMs?: number;
}

/** Weight of a new sample that arrives `dtMs` after the previous one: 1 - exp(-dt / tau). */
export function emaWeight(dtMs: number, tauMs = EMA_TAU_MS): number {
  if (!(dtMs > 0)) return 0;
  return 1 - Math.exp(-dtMs / tauMs);
}

/**
 * The EMA of `values` sampled at `ts` (ascending): null where the input is null (a withheld value is never
 * smoothed over), restarted after a gap longer than `maxGapMs`. A repeated timestamp replaces nothing: it
 * gets weight 0 against the average so far, except as the first sample.
 */
export function emaSeries(
  ts: readonly number[],
  values: readonly (number | null)[],
  { tauMs = EMA_TAU_MS, maxGapMs = EMA_MAX_GAP_MS }: SmoothingOptions = {},
): (number | null)[] {
  const out: (number | null)[] = [];
  let avg: number | null = null;
  let lastTs = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const t = ts[i] ?? lastTs;
    const x = values[i] ?? null;
    if (x === null || !Number.isFinite(x)) {
      out.push(null);
      avg = null;
      continue;
    }
    if (avg === null || t - lastTs > maxGapMs) avg = x;
    else avg += emaWeight(t - lastTs, tauMs) * (x - avg);
    lastTs = t;
    out.push(avg);
  }
  return out;
}

/**
 * The same per component of probability vectors (the emotion shares), renormalised to sum 1 so a stacked
 * chart of the result still ends at 100 %.
 */
export function emaVectors(
  ts: readonly number[],
  vectors: readonly (readonly number[] | null)[],
  options: SmoothingOptions = {},
): (number[] | null)[] {
  const width = vectors.find((v) => v !== null)?.length ?? 0;
  const columns = Array.from({ length: width }, (_, c) =>
    emaSeries(
      ts,
      vectors.map((v) => (v ? (v[c] ?? 0) : null)),
      options,
    ),
  );
  return vectors.map((v, i) => {
    if (!v) return null;
    const row = columns.map((col) => Math.max(0, col[i] ?? 0));
    const sum = row.reduce((a, b) => a + b, 0);
    return sum > 0 ? row.map((x) => x / sum) : row;
  });
}

/** The last non-null value of a series, or null. */
export function lastValue<T>(series: readonly (T | null)[]): T | null {
  for (let i = series.length - 1; i >= 0; i--) {
    const v = series[i];
    if (v !== null && v !== undefined) return v;
  }
  return null;
}
