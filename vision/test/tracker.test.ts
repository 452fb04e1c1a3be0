import { describe, expect, it } from 'vitest';
import { IouTracker } from '../src';

const box = (x: number, y: number, s = 40) => ({ x, y, width: s, height: s });

describe('IouTracker', () => {
  it('keeps ids for faces that move a little and gives new faces new ids', () => {
    const t = new IouTracker();
    const first = t.update([box(0, 0), box(200, 0)], 0).map((s) => s.id);
    expect(first).toEqual([1, 2]);
    // Both moved; a third face appeared; box order changed.
    const second = t.update([box(210, 5), box(300, 300), box(8, 4)], 500).map((s) => s.id);
    expect(second).toEqual([2, 3, 1]);
  });

  it('continues a track by centroid when a fast move leaves no overlap', () => {
    const t = new IouTracker({ iouThreshold: 0.3, centroidRatio: 0.5, maxMissMs: 3000 });
    const [a] = t.update([box(100, 100, 80)], 0);
    const [b] = t.update([box(135, 100, 80)], 500); // IoU 0.39
    const [c] = t.update([box(170, 110, 80)], 1000); // IoU < 0.3 but centre moved < half a face
    expect(b!.id).toBe(a!.id);
    expect(c!.id).toBe(a!.id);
  });

  it('keeps a track through a short miss (not frontal) and forgets it after maxMissMs', () => {
    const t = new IouTracker({ iouThreshold: 0.3, centroidRatio: 0.5, maxMissMs: 1000 });
    t.update([box(0, 0), box(100, 0)], 0);
    t.update([box(0, 0)], 500);
    const live = t.active(600);
    expect(live.map((s) => [s.id, s.frontal])).toEqual([
      [1, true],
      [2, false],
    ]);
    t.update([box(0, 0)], 1600);
    expect(t.active(1600).map((s) => s.id)).toEqual([1]);
    // The listener comes back: a new ephemeral id, never the old one.
    expect(t.update([box(0, 0), box(100, 0)], 1700)[1]!.id).toBe(3);
  });

  it('keeps tracks longer when told to (slow detection rates)', () => {
    const t = new IouTracker();
    t.setMaxMissMs(12_500); // 0.2 Hz detection: 2.5 intervals
    t.update([box(0, 0)], 0);
    expect(t.active(10_000).map((s) => s.id)).toEqual([1]);
    expect(t.update([box(2, 2)], 10_000)[0]!.id).toBe(1);
  });
});
