import { describe, expect, it } from 'vitest';
import type { AggregateEntity } from '../src';
import { fromStoredReport, summarize, type StoredReport } from '../src/reports/report';
import { reportCsv } from '../src/reports/report-csv';
import { reportView } from '../src/reports/report-view';
import { toTimeline } from '../src/reports/timeline';

const row = (ts: number, faces: number, read: number, samples = 1): AggregateEntity => ({
  id: ts,
  roomId: 'hall',
  sessionId: null,
  resolution: '1s',
  ts,
  faces,
  read,
  peakFaces: Math.ceil(faces),
  valence: 0.5,
  attention: 0.75,
  distribution: '[0,0,0,0.75,0,0,0.25]',
  samples,
});

describe('report timeline on read faces', () => {
  it('withholds emotions below K read faces and attention below K faces', () => {
    const points = toTimeline([row(0, 10, 8), row(1000, 10, 2), row(2000, 2, 2)], 3);
    expect(points.map((p) => [p.faces, p.read, p.valence, p.attention, p.distribution?.length ?? null])).toEqual([
      [10, 8, 0.5, 0.75, 7],
      [10, 2, null, 0.75, null],
      [2, 2, null, null, null],
    ]);
  });

  it('compares K with the sample-weighted mean of read faces of rows sharing a bucket', () => {
    // (4 * 3 + 1 * 1) / 4 samples = 3.25 read: enough for K = 3; (1 * 3 + 4 * 1) / 4 = 1.75 is not.
    expect(toTimeline([row(0, 5, 4, 3), row(0, 5, 1, 1)], 3)[0]).toMatchObject({ read: 3.25, valence: 0.5 });
    expect(toTimeline([row(0, 5, 1, 3), row(0, 5, 4, 1)], 3)[0]).toMatchObject({ read: 1.75, valence: null });
  });

  it('puts read counts in the summary and in a CSV column next to faces', () => {
    const timeline = toTimeline([row(0, 10, 8), row(1000, 10, 2)], 3);
    const summary = summarize(timeline, 2, 10);
    expect(summary).toMatchObject({ meanFaces: 10, meanRead: 5, meanValence: 0.5 });
    const session = { id: 's', roomId: 'hall', title: 't', startedAt: 0, endedAt: 2000, source: 'manual' } as const;
    const base = { session: session as never, summary, timeline, peaks: [], listeners: [] };
    const view = reportView(base, { roomName: 'Hall', timeZone: 'UTC', zoneSource: 'cloud', minGroupSize: 3 });
    const text = reportCsv({ ...base, view }).split('\n');
    // A '#' block documents the units first; the header and rows keep their columns (session_s appended).
    const csv = text.filter((l) => !l.startsWith('#'));
    expect(text[0]).toMatch(/^# Units: time = bucket start, ISO 8601 UTC; .*valence = -1\.\.1.*attention = 0\.\.1/);
    expect(csv[0]).toBe('time,ts,faces,read,valence,attention,angry,disgust,fear,happy,sad,surprise,neutral,session_s');
    expect(csv[2]!.split(',').slice(2, 6)).toEqual(['10', '2', '', '0.75']);
    expect(csv[2]!.split(',').at(-1)).toBe('1');
  });

  it('reads a report stored before the gate as if every face was read', () => {
    const stored: StoredReport = {
      session: { id: 's' } as never,
      summary: { durationS: 2, meanValence: 0.5, meanAttention: 0.75, distribution: null, peakFaces: 6 },
      timeline: [
        { ts: 0, faces: 6, valence: 0.5, attention: 0.75, distribution: null },
        { ts: 1000, faces: 4, valence: 0.5, attention: 0.75, distribution: null },
      ],
      peaks: [],
      listeners: [],
    };
    const r = fromStoredReport(stored);
    expect(r.timeline.map((p) => p.read)).toEqual([6, 4]);
    expect(r.summary).toMatchObject({ meanFaces: 5, meanRead: 5, meanValence: 0.5, peakFaces: 6 });
  });
});
