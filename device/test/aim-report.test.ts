import { FaceSizeTally } from '@lectern/vision';
import { describe, expect, it } from 'vitest';
import { aimReport, formatAimReport } from '../src/aim/aim-report';
import { RecentFaceSizes } from '../src/aim/recent-face-sizes';
import { parseAgentConfig } from '../src';

const config = (extra: object = {}) =>
  parseAgentConfig({
    deviceId: 'cam-1',
    roomId: 'room-1',
    broker: { url: 'mqtt://127.0.0.1:1883' },
    source: { type: 'v4l2' },
    ...extra,
  });

function summary(sizes: number[], minReadablePx = 16) {
  const tally = new FaceSizeTally(minReadablePx);
  tally.add(sizes);
  return tally.summary();
}

describe('aim report', () => {
  it('says nothing when most faces are readable, and prints one labelled row per bin', () => {
    const r = aimReport(summary([10, 14, 20, 30, 40, 50]), config());
    expect(r.tooSmall).toBe(2);
    expect(r.shareTooSmall).toBeCloseTo(1 / 3);
    expect(r.warning).toBeNull();
    expect(r.advice).toEqual([]);
    const text = formatAimReport(r);
    expect(text).toMatch(/^ +0-12 px +1 +17 %/m);
    expect(text).toMatch(/^ +96\+ px +0 +0 %/m);
    expect(text).toContain('2 of 6 faces (33 %) are below the readable size of 16 px');
    expect(text).not.toContain('WARNING');
  });

  it('warns above half too small, with advice fitted to the config', () => {
    const sizes = [10, 12, 13, 15, 30];
    const plain = aimReport(summary(sizes), config());
    expect(plain.warning).toMatch(/most faces \(80 %\) are smaller than 16 px/);
    expect(plain.advice.join('\n')).toMatch(/longer lens[\s\S]*closer[\s\S]*source\.width[\s\S]*upscale: 2/);
    expect(plain.advice.join('\n')).not.toMatch(/downscale|frameWidth/);
    const tuned = aimReport(
      summary(sizes),
      config({
        frameWidth: 640,
        detection: { downscale: 0.5, upscale: 2 },
        source: { type: 'rtsp', url: 'rtsp://c/s' },
      }),
    );
    const advice = tuned.advice.join('\n');
    expect(advice).toMatch(/stream profile.*frameWidth \(now 640 px\)/);
    expect(advice).toMatch(/detection\.downscale: 1 \(now 0\.5\)/);
    expect(advice).not.toMatch(/upscale/);
    expect(formatAimReport(tuned)).toMatch(/WARNING: most faces[\s\S]*\n {2}- use a longer lens/);
    // Haar has no upscale option.
    expect(aimReport(summary(sizes), config({ detector: 'haar' })).advice.join('\n')).not.toMatch(/upscale/);
  });

  it('warns when no face was seen at all', () => {
    const r = aimReport(summary([]), config());
    expect(r.warning).toMatch(/no faces detected/);
    expect(formatAimReport(r)).toContain('readable size: 16 px');
  });

  it("keeps the preview's recent window to the last seconds", () => {
    const recent = new RecentFaceSizes(10_000);
    recent.add(0, [10, 11]);
    recent.add(5000, [40]);
    expect(recent.summary(9000, 16)).toMatchObject({ total: 3, tooSmall: 2 });
    expect(recent.summary(12_000, 16)).toMatchObject({ total: 1, tooSmall: 0, counts: [0, 0, 0, 0, 0, 0, 1, 0, 0] });
    expect(recent.summary(30_000, 16).total).toBe(0);
  });
});
