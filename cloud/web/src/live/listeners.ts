// The listener summary: how many listeners show each emotion, how sure the model is, and which listeners
// changed noticeably (the only ones that get a tile of their own by default).
import { EMOTIONS, type Emotion } from '../emotions';

export interface TrackLike {
  key: string;
  p: readonly number[];
  frontal: boolean;
}

/**
 * Confidence of one listener's reading: the top probability of their smoothed 7-class vector (1/7 = no idea,
 * 1 = certain), and the margin to the runner-up class.
 */
export interface Reading {
  emotion: Emotion;
  confidence: number;
  margin: number;
}

/** A reading counts as confident from this top probability on. */
export const CONFIDENT = 0.5;
/** A listener's new emotion must hold this long, confidently, before it counts as a change. */
export const HOLD_MS = 3_000;
/** A change stays notable (gets a tile) this long. */
export const NOTABLE_MS = 30_000;
/** At most this many change tiles; the newest first. */
export const MAX_NOTABLE = 8;

export function readingOf(p: readonly number[]): Reading | null {
  if (p.length !== EMOTIONS.length) return null;
  let best = 0;
  let second = -1;
  for (let i = 1; i < p.length; i++) {
    if ((p[i] ?? 0) > (p[best] ?? 0)) {
      second = best;
      best = i;
    } else if (second < 0 || (p[i] ?? 0) > (p[second] ?? 0)) second = i;
  }
  const top = p[best] ?? 0;
  const emotion = EMOTIONS[best];
  if (!emotion) return null;
  return { emotion, confidence: top, margin: top - (second >= 0 ? (p[second] ?? 0) : 0) };
}

export interface EmotionGroup {
  emotion: Emotion;
  count: number;
  /** Mean top probability of the group's listeners. */
  confidence: number;
  /** Listeners of the group whose reading is under CONFIDENT. */
  uncertain: number;
}

export interface ListenerSummary {
  total: number;
  groups: EmotionGroup[];
  /** Mean top probability over everybody read. */
  confidence: number | null;
  uncertain: number;
  /** Listeners not facing the camera (the attention proxy's "away"). */
  away: number;
}

/** Counts per dominant emotion, largest group first (FER order on ties), each with its mean confidence. */
export function summarizeListeners(tracks: readonly TrackLike[]): ListenerSummary {
  const acc = new Map<Emotion, { count: number; conf: number; uncertain: number }>();
  let conf = 0;
  let uncertain = 0;
  let away = 0;
  let total = 0;
  for (const t of tracks) {
    const r = readingOf(t.p);
    if (!r) continue;
    total++;
    if (!t.frontal) away++;
    const g = acc.get(r.emotion) ?? { count: 0, conf: 0, uncertain: 0 };
    g.count++;
    g.conf += r.confidence;
    conf += r.confidence;
    if (r.confidence < CONFIDENT) {
      g.uncertain++;
      uncertain++;
    }
    acc.set(r.emotion, g);
  }
  const groups = EMOTIONS.filter((e) => acc.has(e))
    .map((e) => {
      const g = acc.get(e)!;
      return { emotion: e, count: g.count, confidence: g.conf / g.count, uncertain: g.uncertain };
    })
    .sort((a, b) => b.count - a.count || EMOTIONS.indexOf(a.emotion) - EMOTIONS.indexOf(b.emotion));
  return { total, groups, confidence: total ? conf / total : null, uncertain, away };
}

/** What the page remembers of one listener between snapshots. */
export interface TrackMemory {
  /** The emotion that has held confidently for HOLD_MS; null until one has. */
  settled: Emotion | null;
  /** The confident emotion seen now and since when (it becomes `settled` after HOLD_MS). */
  candidate: Emotion | null;
  candidateSince: number;
  /** The latest change of `settled` from one emotion to another. */
  change: { from: Emotion; to: Emotion; at: number } | null;
}

export type Memory = ReadonlyMap<string, TrackMemory>;

/**
 * Updates the memory with one snapshot's tracks at time `ts`. Listeners not in the snapshot are forgotten
 * (track ids are ephemeral). A reading under CONFIDENT is no evidence either way: it leaves the candidate
 * alone. The first emotion a listener settles on is not a change; a later different one is.
 */
export function rememberTracks(memory: Memory, tracks: readonly TrackLike[], ts: number): Map<string, TrackMemory> {
  const next = new Map<string, TrackMemory>();
  for (const t of tracks) {
    const prev = memory.get(t.key) ?? { settled: null, candidate: null, candidateSince: ts, change: null };
    const r = readingOf(t.p);
    let m: TrackMemory = prev;
    if (r && r.confidence >= CONFIDENT) {
      if (r.emotion !== prev.candidate) m = { ...m, candidate: r.emotion, candidateSince: ts };
      if (m.candidate && m.candidate !== m.settled && ts - m.candidateSince >= HOLD_MS) {
        m = {
          ...m,
          settled: m.candidate,
          change: m.settled ? { from: m.settled, to: m.candidate, at: ts } : m.change,
        };
      }
    }
    next.set(t.key, m);
  }
  return next;
}

export interface NotableChange<T extends TrackLike = TrackLike> {
  track: T;
  from: Emotion;
  to: Emotion;
  at: number;
  confidence: number;
}

/**
 * The listeners whose emotion changed within NOTABLE_MS and still shows the new one, newest first, at most
 * MAX_NOTABLE.
 */
export function notableChanges<T extends TrackLike>(
  memory: Memory,
  tracks: readonly T[],
  now: number,
): NotableChange<T>[] {
  const out: NotableChange<T>[] = [];
  for (const track of tracks) {
    const change = memory.get(track.key)?.change;
    if (!change || now - change.at > NOTABLE_MS) continue;
    const r = readingOf(track.p);
    if (!r || r.emotion !== change.to) continue;
    out.push({ track, from: change.from, to: change.to, at: change.at, confidence: r.confidence });
  }
  return out.sort((a, b) => b.at - a.at || a.track.key.localeCompare(b.track.key)).slice(0, MAX_NOTABLE);
}
