import { describe, expect, it } from 'vitest';
import { AUTO_RATE, DetectionRate } from '../src/agent/detection-rate';

const feed = (rate: DetectionRate, ms: number, n: number): (number | null)[] =>
  Array.from({ length: n }, () => rate.observe(ms));

describe('automatic detection rate', () => {
  it('detects as often as the CPU budget allows: a cheap pass runs fast, a slow one slowly', () => {
    const fast = new DetectionRate('auto');
    expect(fast.hz).toBe(AUTO_RATE.startHz);
    const decisions = feed(fast, 20, AUTO_RATE.settleFrames).filter((d) => d !== null);
    // 0.6 s of CPU per second over 20 ms passes affords 30 Hz; capped at maxHz.
    expect(decisions).toEqual([AUTO_RATE.maxHz]);
    expect(fast.hz).toBe(AUTO_RATE.maxHz);
    const slow = new DetectionRate('auto');
    feed(slow, 400, AUTO_RATE.settleFrames);
    expect(slow.hz).toBe(1.5); // 0.6 / 0.4 s
    const verySlow = new DetectionRate('auto');
    feed(verySlow, 5000, AUTO_RATE.settleFrames);
    expect(verySlow.hz).toBe(AUTO_RATE.minHz);
  });

  it('ignores small changes in cost and single slow passes (no camera restarts for noise)', () => {
    const r = new DetectionRate('auto');
    feed(r, 60, AUTO_RATE.settleFrames); // affords 10 Hz: a real change from the 5 Hz start
    expect(r.hz).toBe(10);
    expect(feed(r, 66, AUTO_RATE.settleFrames).every((d) => d === null)).toBe(true); // 9 Hz: within 30 %
    expect(r.hz).toBe(10);
    // A third of the passes slowed 10x by other load: the median cost, and so the rate, stays.
    const noisy = Array.from({ length: AUTO_RATE.settleFrames }, (_, i) => r.observe(i % 3 === 0 ? 600 : 60));
    expect(noisy.every((d) => d === null)).toBe(true);
    expect(r.hz).toBe(10);
  });

  it('a fixed rate is never changed by measurements; switching back to auto keeps the rate in force', () => {
    const r = new DetectionRate(2);
    expect(feed(r, 10, 50).every((d) => d === null)).toBe(true);
    expect(r.hz).toBe(2);
    expect(r.configure(4)).toBe(true);
    expect(r.configure('auto')).toBe(false);
    expect(r.hz).toBe(4);
    expect(r.auto).toBe(true);
  });
});
