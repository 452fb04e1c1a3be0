import { EMOTION_COUNT, valenceOf } from '@lectern/protocol';
import type { SessionView } from '../sessions/sessions.service';
import type { Peak, ReportSummary, TimelinePoint } from '../api/contract';
import type { ReportView } from './report-format';

export type { Peak };

export interface Listener {
  key: string;
  seenS: number;
  distribution: number[];
  meanValence: number;
}

export interface SessionReport {
  session: SessionView;
  summary: ReportSummary;
  timeline: TimelinePoint[];
  peaks: Peak[];
  listeners: Listener[];
  /** Every derived figure as text (report-view.ts): the web page, the PDF and the CSV print these. */
  view: ReportView;
}

/** Summary over the points (equal weight per point); emotion and attention means over the unsuppressed ones. */
export function summarize(
  points: readonly TimelinePoint[],
  durationS: number,
  peakFaces: number,
): SessionReport['summary'] {
  const v = points.filter((p) => p.valence !== null);
  const a = points.filter((p) => p.attention !== null);
  const d = points.filter((p) => p.distribution !== null);
  const distribution = d.length ? new Array<number>(EMOTION_COUNT).fill(0) : null;
  if (distribution)
    for (const p of d) for (let i = 0; i < EMOTION_COUNT; i++) distribution[i]! += p.distribution![i]! / d.length;
  const mean = (value: (p: TimelinePoint) => number): number =>
    points.length ? points.reduce((s, p) => s + value(p), 0) / points.length : 0;
  return {
    durationS,
    meanFaces: mean((p) => p.faces),
    meanRead: mean((p) => p.read),
    meanValence: v.length ? v.reduce((s, p) => s + p.valence!, 0) / v.length : null,
    meanAttention: a.length ? a.reduce((s, p) => s + p.attention!, 0) / a.length : null,
    distribution,
    peakFaces,
  };
}

/** A report as stored: those from before the readable-size gate lack the read counts. */
export type StoredReport = Omit<SessionReport, 'timeline' | 'summary' | 'view'> & {
  timeline: (Omit<TimelinePoint, 'read'> & { read?: number })[];
  summary: Omit<ReportSummary, 'meanFaces' | 'meanRead'> & Partial<Pick<ReportSummary, 'meanFaces' | 'meanRead'>>;
};

/**
 * A stored report in today's shape. One from before the gate read every face (as the aggregate migration
 * assumes), and its points were withheld by faces, which read faces then equal.
 */
export function fromStoredReport(stored: StoredReport): Omit<SessionReport, 'view'> {
  const { session, peaks, listeners } = stored;
  const timeline = stored.timeline.map((p) => ({ ...p, read: p.read ?? p.faces }));
  const { meanFaces, meanRead } = summarize(timeline, stored.summary.durationS, stored.summary.peakFaces);
  return { session, peaks, listeners, timeline, summary: { meanFaces, meanRead, ...stored.summary } };
}

/** Up to `n` extremes of each kind, at least `gapMs` apart, so one long high is reported once. */
export function findPeaks(points: readonly TimelinePoint[], n = 3, gapMs = 60_000): Peak[] {
  const pick = (kind: Peak['kind'], value: (p: TimelinePoint) => number | null, order: 1 | -1): Peak[] => {
    const cands = points
      .map((p) => ({ ts: p.ts, value: value(p) }))
      .filter((c): c is { ts: number; value: number } => c.value !== null)
      .sort((x, y) => order * (y.value - x.value));
    const out: Peak[] = [];
    for (const c of cands) {
      if (out.length >= n) break;
      if (out.every((o) => Math.abs(o.ts - c.ts) >= gapMs)) out.push({ ts: c.ts, kind, value: c.value });
    }
    return out;
  };
  return [
    ...pick('valence-high', (p) => p.valence, 1).filter((p) => p.value > 0),
    ...pick('valence-low', (p) => p.valence, -1).filter((p) => p.value < 0),
    ...pick('attention-low', (p) => p.attention, -1).filter((p) => p.value < 0.5),
  ].sort((a, b) => a.ts - b.ts);
}

/** Per ephemeral track: how long it was seen and its mean emotions (no identity, key is device:track). */
export class ListenerAccumulator {
  private readonly tracks = new Map<string, { first: number; last: number; n: number; sum: number[] }>();

  add(deviceId: string, capturedAt: number, tracks: readonly { id: number; p: readonly number[] }[]): void {
    for (const t of tracks) {
      const key = `${deviceId}:${t.id}`;
      let acc = this.tracks.get(key);
      if (!acc)
        this.tracks.set(
          key,
          (acc = { first: capturedAt, last: capturedAt, n: 0, sum: new Array<number>(EMOTION_COUNT).fill(0) }),
        );
      acc.first = Math.min(acc.first, capturedAt);
      acc.last = Math.max(acc.last, capturedAt);
      acc.n++;
      for (let i = 0; i < EMOTION_COUNT; i++) acc.sum[i]! += t.p[i] ?? 0;
    }
  }

  /** Tracks seen for at least `minSeenS`, longest first. */
  result(minSeenS = 0, max = 500): Listener[] {
    const out: Listener[] = [];
    for (const [key, a] of this.tracks) {
      const seenS = (a.last - a.first) / 1000;
      if (seenS < minSeenS) continue;
      const distribution = a.sum.map((x) => x / a.n);
      out.push({ key, seenS, distribution, meanValence: valenceOf(distribution) });
    }
    return out.sort((x, y) => y.seenS - x.seenS).slice(0, max);
  }
}
