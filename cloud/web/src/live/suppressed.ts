// Periods the minimum group size withheld, from the timeline points themselves (counts always leave the
// server; the figures they withheld arrive as null).

export type HiddenReason = 'few-listeners' | 'few-read';

export interface HiddenInterval {
  from: number;
  to: number;
  reason: HiddenReason;
}

export interface HiddenPoint {
  ts: number;
  faces: number;
  valence: number | null;
  attention: number | null;
}

/** Why a point's figures are missing; null when they are shown, or when nobody was there to withhold. */
export function hiddenReason(p: HiddenPoint, emotionEnabled: boolean): HiddenReason | null {
  if (!(p.faces > 0)) return null; // an empty room is empty, not hidden
  if (p.attention === null) return 'few-listeners';
  // With emotion inference off by policy there are no emotion figures to withhold.
  if (emotionEnabled && p.valence === null) return 'few-read';
  return null;
}

/**
 * Consecutive hidden points with the same reason, merged into intervals. Each point covers `stepMs` after
 * its timestamp (1 s buckets); points further apart than `maxGapMs` start a new interval.
 */
export function hiddenIntervals(
  points: readonly HiddenPoint[],
  emotionEnabled: boolean,
  { stepMs = 1000, maxGapMs = 3000 }: { stepMs?: number; maxGapMs?: number } = {},
): HiddenInterval[] {
  const out: HiddenInterval[] = [];
  let open: HiddenInterval | null = null;
  let lastTs = -Infinity;
  for (const p of points) {
    const reason = hiddenReason(p, emotionEnabled);
    if (open && (reason !== open.reason || p.ts - lastTs > maxGapMs)) {
      out.push(open);
      open = null;
    }
    if (reason) {
      if (open) open.to = p.ts + stepMs;
      else open = { from: p.ts, to: p.ts + stepMs, reason };
    }
    lastTs = p.ts;
  }
  if (open) out.push(open);
  return out;
}

/** The words on a shaded period. */
export function hiddenLabel(reason: HiddenReason, minGroup: number): string {
  return reason === 'few-listeners' ? `Hidden: < ${minGroup} listeners` : `Emotions hidden: < ${minGroup} read`;
}

/** The same in a few characters, for a narrow shaded band. */
export function hiddenShort(reason: HiddenReason, minGroup: number): string {
  return reason === 'few-listeners' ? `< ${minGroup} listeners` : `< ${minGroup} read`;
}
