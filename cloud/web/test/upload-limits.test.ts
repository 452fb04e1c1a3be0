import { describe, expect, it } from 'vitest';
import { limitsText, type UploadLimits } from '../src/pages/upload-limits';

const limits: UploadLimits = {
  maxMb: 500,
  maxMinutes: 180,
  perDay: 10,
  concurrent: 3,
  usedToday: 2,
  pending: 1,
  nextUploadAt: null,
};

describe('upload page limits line', () => {
  it('states the server limits and how much of the daily quota is used', () => {
    expect(limitsText(limits)).toBe(
      'Videos up to 180 min and 500 MB · 2 of 10 uploads used in the last 24 h · at most 3 waiting for analysis at a time.',
    );
  });

  it('says from when the user can upload again once the daily quota is used up', () => {
    const text = limitsText({ ...limits, usedToday: 10, nextUploadAt: 1_800_000_000_000 }, (ms) => `<${ms}>`);
    expect(text).toMatch(/10 of 10 uploads used/);
    expect(text).toMatch(/You can upload again from <1800000000000>\.$/);
  });
});
