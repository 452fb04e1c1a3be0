import { describe, expect, it } from 'vitest';
import { dominantOf, EMOTION_COLORS, EMOTIONS, colorOf, labelOf } from '../src/emotions';
import { ago, duration, percent, signed, toMs } from '../src/format';
import {
  countsLabel,
  mostlyTooSmall,
  suppressedShort,
  suppressedText,
  tooSmallShare,
  tooSmallText,
} from '../src/reading';
import { parseHash } from '../src/router';
import { trackLabels } from '../src/tracks';

describe('parseHash', () => {
  it('splits path segments and the query', () => {
    const r = parseHash('#/sessions?roomId=hall-a');
    expect(r.segments).toEqual(['sessions']);
    expect(r.query.get('roomId')).toBe('hall-a');
    expect(r.href).toBe('/sessions?roomId=hall-a');
  });

  it('decodes ids and treats an empty hash as the root', () => {
    expect(parseHash('#/rooms/hall%20a').segments).toEqual(['rooms', 'hall a']);
    expect(parseHash('').segments).toEqual([]);
    expect(parseHash('#').href).toBe('/');
  });

  it('keeps a nested login target intact in the query', () => {
    const r = parseHash(`#/login?next=${encodeURIComponent('/sessions?roomId=r1')}`);
    expect(r.segments).toEqual(['login']);
    expect(r.query.get('next')).toBe('/sessions?roomId=r1');
  });
});

describe('emotions', () => {
  it('follows the FER2013 order and gives every class its own colour', () => {
    expect(EMOTIONS).toEqual(['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral']);
    expect(new Set(Object.values(EMOTION_COLORS)).size).toBe(EMOTIONS.length);
  });

  it('finds the dominant class and rejects malformed vectors', () => {
    expect(dominantOf([0.1, 0, 0, 0.6, 0.1, 0.1, 0.1])).toBe('happy');
    expect(dominantOf([0, 0, 0, 0, 0, 0, 1])).toBe('neutral');
    expect(dominantOf([0.5, 0.5])).toBeNull();
    expect(dominantOf(null)).toBeNull();
  });

  it('falls back for unknown labels', () => {
    expect(labelOf('contempt')).toBe('—');
    expect(colorOf(null)).not.toBe(EMOTION_COLORS.neutral);
    expect(labelOf('sad')).toBe('Sad');
  });
});

describe('format', () => {
  it('formats percentages, signed values and missing data', () => {
    expect(percent(0.456)).toBe('46%');
    expect(percent(null)).toBe('—');
    expect(signed(0.25)).toBe('+0.25');
    expect(signed(-0.5)).toBe('−0.50');
    expect(signed(0)).toBe('0.00');
    expect(signed(Number.NaN)).toBe('—');
  });

  it('formats durations at the right granularity', () => {
    expect(duration(42)).toBe('42 s');
    expect(duration(125)).toBe('2 min 05 s');
    expect(duration(5400)).toBe('1 h 30 min');
    expect(duration(undefined)).toBe('—');
  });

  it('accepts epoch ms and ISO strings', () => {
    expect(toMs(1_700_000_000_000)).toBe(1_700_000_000_000);
    expect(toMs('2026-01-01T00:00:00Z')).toBe(Date.UTC(2026, 0, 1));
    expect(toMs('not a date')).toBeNull();
    const now = 1_000_000_000;
    expect(ago(now - 2000, now)).toBe('just now');
    expect(ago(now - 90_000, now)).toBe('1 min ago');
    expect(ago(null, now)).toBe('never');
  });
});

describe('trackLabels', () => {
  it('uses the bare track number in a one-camera room', () => {
    const labels = trackLabels(['cam-a:3', 'cam-a:12']);
    expect(labels.get('cam-a:3')).toBe('#3');
    expect(labels.get('cam-a:12')).toBe('#12');
  });

  it('prefixes a camera letter when several cameras share a room, keeping labels unique', () => {
    const keys = ['sim-hall-2:1', 'sim-hall-1:1', 'sim-hall-1:7'];
    const labels = trackLabels(keys);
    expect(labels.get('sim-hall-1:1')).toBe('A·1');
    expect(labels.get('sim-hall-2:1')).toBe('B·1');
    expect(new Set(labels.values()).size).toBe(keys.length);
  });
});

describe('trackLabels with the room device list', () => {
  it('keeps a camera letter stable while another camera sees nobody', () => {
    expect(trackLabels(['cam-2:4'], ['cam-1', 'cam-2']).get('cam-2:4')).toBe('B·4');
  });
});

describe('reading words', () => {
  const counts = { faces: 12, read: 2, tooSmall: 9, minReadablePx: 20, emotionEnabled: true };

  it('says how many listeners are read and how many are too small, under which size', () => {
    expect(`12 ${countsLabel(counts)}`).toBe('12 listeners, 2 read');
    expect(countsLabel({ ...counts, faces: 1, read: 1, tooSmall: 0 })).toBe('listener, 1 read');
    expect(tooSmallText(counts)).toBe('9 too small to read (under 20 px)');
    expect(tooSmallText({ ...counts, minReadablePx: null })).toBe('9 too small to read');
    expect(tooSmallText({ ...counts, tooSmall: 0 })).toBeNull();
  });

  it('leaves reading out where emotion inference is off by policy', () => {
    const off = { ...counts, read: 0, emotionEnabled: false };
    expect(countsLabel(off)).toBe('listeners');
    expect(tooSmallText(off)).toBeNull();
  });

  it('tells too few listeners from too few read ones', () => {
    expect(suppressedText({ ...counts, faces: 2 }, 3)).toBe('Fewer than 3 listeners — hidden for privacy');
    expect(suppressedText(counts, 3)).toBe('Fewer than 3 listeners read (2 of 12) — emotions hidden for privacy');
    expect(suppressedShort({ ...counts, faces: 2 }, 3)).toBe('hidden (< 3)');
    expect(suppressedShort(counts, 3)).toBe('hidden (< 3 read)');
  });

  it("warns when most of a device's recent faces are too small", () => {
    const sizes = { counts: [4, 8, 8, 10, 6, 4, 0, 0, 0], faces: 40, tooSmall: 30, minReadablePx: 20 };
    expect(tooSmallShare(sizes)).toBe(0.75);
    expect(mostlyTooSmall(sizes)).toBe(true);
    expect(mostlyTooSmall({ ...sizes, tooSmall: 20 })).toBe(false);
    expect(tooSmallShare({ ...sizes, faces: 0, tooSmall: 0 })).toBeNull();
  });
});
