import { describe, expect, it } from 'vitest';
import {
  CONFIDENT,
  HOLD_MS,
  MAX_NOTABLE,
  NOTABLE_MS,
  notableChanges,
  readingOf,
  rememberTracks,
  summarizeListeners,
  type Memory,
  type TrackLike,
} from '../src/live/listeners';
import { appendPoint, mergeHistory } from '../src/live/history';
import { EMA_MAX_GAP_MS, EMA_TAU_MS, emaSeries, emaVectors, emaWeight, lastValue } from '../src/live/smoothing';
import { hiddenIntervals, hiddenLabel, hiddenReason, hiddenShort } from '../src/live/suppressed';
import {
  FIT_MAX_SPAN_MS,
  historyFrom,
  liveDomain,
  MAX_HISTORY_MS,
  MIN_SPAN_MS,
  NO_SESSION_HISTORY_MS,
  storyStart,
  visibleIndices,
} from '../src/live/window';

const seconds = (n: number) => Array.from({ length: n }, (_, i) => i * 1000);
/** A 7-class vector with `top` on class `i` and the rest spread evenly. */
const vec = (i: number, top: number) => Array.from({ length: 7 }, (_, c) => (c === i ? top : (1 - top) / 6));
const HAPPY = 3;
const SAD = 4;
const NEUTRAL = 6;

describe('emaSeries', () => {
  it('moves 63 % of a step in one time constant, whatever the sample rate', () => {
    for (const hz of [1, 4]) {
      const n = 20 * hz + 1;
      const ts = Array.from({ length: n }, (_, i) => (i * 1000) / hz);
      const x = ts.map((t) => (t === 0 ? 0 : 1));
      const s = emaSeries(ts, x, { maxGapMs: 10_000 });
      const at = (ms: number) => s[ts.indexOf(ms)]!;
      expect(at(EMA_TAU_MS)).toBeCloseTo(1 - Math.exp(-1), 6);
      expect(at(2 * EMA_TAU_MS)).toBeCloseTo(1 - Math.exp(-2), 6);
    }
  });

  it('calms raw 1 s jumps from -0.5 to +0.6 to a slow trend', () => {
    const ts = seconds(60);
    const raw = ts.map((_, i) => (i % 4 < 2 ? -0.5 : 0.6));
    const s = emaSeries(ts, raw) as number[];
    const swing = (xs: number[]) => Math.max(...xs.slice(30)) - Math.min(...xs.slice(30));
    expect(swing(raw)).toBeCloseTo(1.1);
    expect(swing(s)).toBeLessThan(0.25);
    expect(emaWeight(1000)).toBeCloseTo(0.095, 3);
  });

  it('never smooths over a withheld value and restarts after a long gap', () => {
    const s = emaSeries([0, 1000, 2000, 3000, 4000], [1, 1, null, 0, 0]);
    expect(s[2]).toBeNull();
    expect(s[3]).toBe(0); // restarted at the first sample after the hole
    const gap = emaSeries([0, 1000, 1000 + EMA_MAX_GAP_MS + 1], [1, 1, -1]);
    expect(gap[2]).toBe(-1);
    const shortGap = emaSeries([0, 1000, 1000 + EMA_MAX_GAP_MS], [1, 1, -1]);
    expect(shortGap[2]).toBeGreaterThan(-1);
    expect(lastValue([1, 2, null])).toBe(2);
    expect(lastValue([null])).toBeNull();
  });

  it('smooths distributions per class and keeps them summing to 1', () => {
    const ts = seconds(10);
    const v = ts.map((_, i) => (i < 5 ? vec(HAPPY, 0.9) : i === 7 ? null : vec(SAD, 0.9)));
    const s = emaVectors(ts, v);
    expect(s[7]).toBeNull();
    for (const row of s) if (row) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    // One second after the switch happy still leads: a glance does not see a flicker.
    expect(s[5]![HAPPY]).toBeGreaterThan(s[5]![SAD]!);
  });
});

describe('live window', () => {
  const now = 10_000_000;
  it('fits the session so far, at least 1 and at most 20 minutes', () => {
    expect(liveDomain('fit', now - 30_000, now)).toEqual({ min: now - MIN_SPAN_MS, max: now });
    expect(liveDomain('fit', now - 7 * 60_000, now)).toEqual({ min: now - 7 * 60_000, max: now });
    expect(liveDomain('fit', now - 90 * 60_000, now)).toEqual({ min: now - FIT_MAX_SPAN_MS, max: now });
    expect(liveDomain('session', now - 90 * 60_000, now)).toEqual({ min: now - 90 * 60_000, max: now });
    expect(liveDomain('last5', now - 90 * 60_000, now)).toEqual({ min: now - 5 * 60_000, max: now });
  });

  it('starts the story at the session, else at the first listener, never beyond the history limit', () => {
    const pts = [
      { ts: now - 600_000, faces: 0 },
      { ts: now - 300_000, faces: 4 },
    ];
    expect(storyStart(pts, now - 100_000, now)).toBe(now - 100_000);
    expect(storyStart(pts, null, now)).toBe(now - 300_000);
    expect(storyStart([], null, now)).toBe(now);
    expect(storyStart(pts, now - 2 * MAX_HISTORY_MS, now)).toBe(now - MAX_HISTORY_MS);
    expect(historyFrom(null, now)).toBe(now - NO_SESSION_HISTORY_MS);
    expect(historyFrom(now - 3600_000, now)).toBe(now - 3600_000);
    expect(historyFrom(now - 1000, now)).toBe(now - MIN_SPAN_MS);
  });

  it('keeps the visible points plus one each side, thinned to a maximum', () => {
    const ts = seconds(100);
    expect(visibleIndices(ts, { min: 10_000, max: 20_000 })).toEqual(Array.from({ length: 13 }, (_, i) => i + 9));
    const thin = visibleIndices(ts, { min: 0, max: 99_000 }, 10);
    expect(thin.length).toBeLessThanOrEqual(11);
    expect(thin[0]).toBe(0);
    expect(thin[thin.length - 1]).toBe(99);
    expect(visibleIndices([], { min: 0, max: 1 })).toEqual([]);
  });
});

describe('privacy-hidden periods', () => {
  const pt = (ts: number, faces: number, shown: 'all' | 'attention' | 'none') => ({
    ts,
    faces,
    valence: shown === 'all' ? 0.1 : null,
    attention: shown === 'none' ? null : 0.5,
  });

  it('tells few listeners from few read, and an empty room from a hidden one', () => {
    expect(hiddenReason(pt(0, 2, 'none'), true)).toBe('few-listeners');
    expect(hiddenReason(pt(0, 8, 'attention'), true)).toBe('few-read');
    expect(hiddenReason(pt(0, 8, 'attention'), false)).toBeNull(); // emotion analysis off: nothing withheld
    expect(hiddenReason(pt(0, 0, 'none'), true)).toBeNull();
    expect(hiddenReason(pt(0, 8, 'all'), true)).toBeNull();
  });

  it('merges runs into intervals that cover each 1 s bucket', () => {
    const points = [
      pt(0, 8, 'all'),
      pt(1000, 2, 'none'),
      pt(2000, 2, 'none'),
      pt(3000, 6, 'attention'),
      pt(4000, 8, 'all'),
      pt(5000, 2, 'none'),
      pt(10_000, 2, 'none'), // after a 5 s outage: a new interval
    ];
    expect(hiddenIntervals(points, true)).toEqual([
      { from: 1000, to: 3000, reason: 'few-listeners' },
      { from: 3000, to: 4000, reason: 'few-read' },
      { from: 5000, to: 6000, reason: 'few-listeners' },
      { from: 10_000, to: 11_000, reason: 'few-listeners' },
    ]);
    expect(hiddenLabel('few-listeners', 3)).toBe('Hidden: < 3 listeners');
    expect(hiddenLabel('few-read', 5)).toBe('Emotions hidden: < 5 read');
    expect(hiddenShort('few-listeners', 3)).toBe('< 3 listeners');
  });
});

describe('listener summary', () => {
  const track = (key: string, i: number, top: number, frontal = true): TrackLike => ({ key, p: vec(i, top), frontal });

  it('reads confidence as the top probability and its margin', () => {
    const r = readingOf(vec(HAPPY, 0.7))!;
    expect(r.emotion).toBe('happy');
    expect(r.confidence).toBeCloseTo(0.7);
    expect(r.margin).toBeCloseTo(0.7 - 0.05);
    expect(readingOf([0.5, 0.5])).toBeNull();
  });

  it('counts listeners per dominant emotion, largest group first, with mean confidence', () => {
    const s = summarizeListeners([
      track('a', NEUTRAL, 0.8),
      track('b', NEUTRAL, 0.4),
      track('c', NEUTRAL, 0.6, false),
      track('d', HAPPY, 0.9),
    ]);
    expect(s.total).toBe(4);
    expect(s.groups.map((g) => [g.emotion, g.count])).toEqual([
      ['neutral', 3],
      ['happy', 1],
    ]);
    expect(s.groups[0]!.confidence).toBeCloseTo(0.6);
    expect(s.groups[0]!.uncertain).toBe(1);
    expect(s.uncertain).toBe(1);
    expect(s.away).toBe(1);
    expect(s.confidence).toBeCloseTo((0.8 + 0.4 + 0.6 + 0.9) / 4);
    expect(summarizeListeners([]).confidence).toBeNull();
  });

  it('reports a change only after the new emotion held confidently, and only for a while', () => {
    let m: Memory = new Map();
    const feed = (ts: number, tracks: TrackLike[]) => (m = rememberTracks(m, tracks, ts));
    // Settling on neutral at first is not a change.
    for (let t = 0; t <= HOLD_MS; t += 1000) feed(t, [track('a', NEUTRAL, 0.8), track('b', NEUTRAL, 0.8)]);
    expect(m.get('a')!.settled).toBe('neutral');
    expect(notableChanges(m, [track('a', NEUTRAL, 0.8)], HOLD_MS)).toEqual([]);
    // A one-second flicker to happy, and an unsure reading, change nothing.
    feed(5000, [track('a', HAPPY, 0.9), track('b', HAPPY, CONFIDENT - 0.1)]);
    feed(6000, [track('a', NEUTRAL, 0.8), track('b', HAPPY, CONFIDENT - 0.1)]);
    expect(m.get('a')!.change).toBeNull();
    expect(m.get('b')!.candidate).toBe('neutral');
    // Happy for HOLD_MS: a change.
    for (let t = 7000; t <= 7000 + HOLD_MS; t += 1000) feed(t, [track('a', HAPPY, 0.9), track('b', NEUTRAL, 0.8)]);
    const at = 7000 + HOLD_MS;
    const now = [track('a', HAPPY, 0.9), track('b', NEUTRAL, 0.8)];
    expect(notableChanges(m, now, at)).toEqual([{ track: now[0], from: 'neutral', to: 'happy', at, confidence: 0.9 }]);
    expect(notableChanges(m, now, at + NOTABLE_MS + 1)).toEqual([]);
    // Back to neutral right now: no longer shows the change, so no tile.
    expect(notableChanges(m, [track('a', NEUTRAL, 0.8)], at + 1000)).toEqual([]);
    // A listener who leaves is forgotten.
    feed(at + 1000, [track('b', NEUTRAL, 0.8)]);
    expect(m.has('a')).toBe(false);
  });

  it('shows at most MAX_NOTABLE change tiles, newest first', () => {
    let m: Memory = new Map();
    const keys = Array.from({ length: MAX_NOTABLE + 3 }, (_, i) => `k${i}`);
    for (let t = 0; t <= HOLD_MS; t += 1000)
      m = rememberTracks(
        m,
        keys.map((k) => track(k, NEUTRAL, 0.8)),
        t,
      );
    // Listener i turns sad at second 10 + i.
    const at = (i: number) => 10_000 + i * 1000;
    for (let t = 10_000; t <= at(keys.length) + HOLD_MS; t += 1000) {
      m = rememberTracks(
        m,
        keys.map((k, i) => track(k, t >= at(i) ? SAD : NEUTRAL, 0.8)),
        t,
      );
    }
    const sad = keys.map((k) => track(k, SAD, 0.8));
    const list = notableChanges(m, sad, at(keys.length) + HOLD_MS);
    expect(list).toHaveLength(MAX_NOTABLE);
    expect(list[0]!.track.key).toBe(keys[keys.length - 1]);
  });
});

describe('live history', () => {
  const p = (ts: number, v = 0) => ({ ts, v });
  it('keeps one point per second, drops replays and what is too old', () => {
    let h = [p(0), p(1000)];
    h = appendPoint(h, p(1250, 1));
    h = appendPoint(h, p(1750, 2));
    expect(h).toEqual([p(0), p(1750, 2)]);
    expect(appendPoint(h, p(500))).toBe(h);
    expect(appendPoint(h, p(2000), 1000)).toEqual([p(1750, 2), p(2000)]);
  });
  it('continues the fetched history with the newer live points', () => {
    expect(mergeHistory([p(2000), p(1000)], [p(1500, 9), p(2500), p(3000)])).toEqual([
      p(1000),
      p(2000),
      p(2500),
      p(3000),
    ]);
    expect(mergeHistory([], [p(1)])).toEqual([p(1)]);
  });
});
