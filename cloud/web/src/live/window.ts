// The time window the live charts show, and thinning of long histories for drawing.

const MINUTE = 60_000;

/** The live charts never show less than this, so the first seconds of a lecture are not stretched across them. */
export const MIN_SPAN_MS = MINUTE;
/** "Fit" follows the session until it is this long, then shows its latest part (use "Whole session" for all). */
export const FIT_MAX_SPAN_MS = 20 * MINUTE;
/** How far back the page loads history when no session is running. */
export const NO_SESSION_HISTORY_MS = 15 * MINUTE;
/** The longest history the page loads (the API's limit for 1 s resolution). */
export const MAX_HISTORY_MS = 6 * 60 * MINUTE;

export type Zoom = 'fit' | 'last5' | 'session';

export const ZOOMS: readonly { id: Zoom; label: string }[] = [
  { id: 'fit', label: 'Fit' },
  { id: 'last5', label: '5 min' },
  { id: 'session', label: 'Whole session' },
];

export interface Domain {
  min: number;
  max: number;
}

/**
 * Where the room's story starts: the running session's start, otherwise the first moment anybody was seen in
 * the loaded history, otherwise now. Never more than MAX_HISTORY_MS back.
 */
export function storyStart(
  points: readonly { ts: number; faces: number }[],
  sessionStart: number | null,
  now: number,
): number {
  const floor = now - MAX_HISTORY_MS;
  if (sessionStart !== null) return Math.max(sessionStart, floor);
  const first = points.find((p) => p.faces > 0);
  return Math.max(first ? first.ts : now, floor);
}

/**
 * The x range of the live charts, ending now:
 * - `fit`: from the start of the session (or of the data) so that the session so far fills the chart, at
 *   least MIN_SPAN_MS (1 min) and at most FIT_MAX_SPAN_MS (20 min);
 * - `last5`: the last five minutes;
 * - `session`: the whole session (or all loaded data), at least MIN_SPAN_MS.
 */
export function liveDomain(zoom: Zoom, start: number, now: number): Domain {
  const sofar = Math.max(0, now - start);
  const span =
    zoom === 'last5'
      ? 5 * MINUTE
      : zoom === 'session'
        ? Math.max(MIN_SPAN_MS, sofar)
        : Math.min(FIT_MAX_SPAN_MS, Math.max(MIN_SPAN_MS, sofar));
  return { min: now - span, max: now };
}

/** From when to load history: the session start (up to MAX_HISTORY_MS back), or NO_SESSION_HISTORY_MS. */
export function historyFrom(sessionStart: number | null, now: number): number {
  return sessionStart === null
    ? now - NO_SESSION_HISTORY_MS
    : Math.max(now - MAX_HISTORY_MS, Math.min(sessionStart, now - MIN_SPAN_MS));
}

/**
 * Indices of the points inside `domain` (plus one on each side, so lines reach the edges), at most
 * `maxPoints` of them: every k-th when there are more. Use on smoothed series, where skipping loses nothing
 * a chart a few hundred pixels wide could show.
 */
export function visibleIndices(ts: readonly number[], domain: Domain, maxPoints = 900): number[] {
  let lo = 0;
  while (lo < ts.length && (ts[lo] ?? 0) < domain.min) lo++;
  let hi = ts.length - 1;
  while (hi >= 0 && (ts[hi] ?? 0) > domain.max) hi--;
  lo = Math.max(0, lo - 1);
  hi = Math.min(ts.length - 1, hi + 1);
  if (hi < lo) return [];
  const n = hi - lo + 1;
  const step = Math.max(1, Math.ceil(n / maxPoints));
  const out: number[] = [];
  for (let i = lo; i <= hi; i += step) out.push(i);
  if (out[out.length - 1] !== hi) out.push(hi);
  return out;
}
