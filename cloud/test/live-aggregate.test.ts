import { mergeAggregates } from '@lectern/protocol';
import { describe, expect, it } from 'vitest';
import { roomStateOf, toLiveAggregate, type DeviceParts } from '../src/live/live-aggregate';
import { makeSnapshot, type SnapshotOptions } from './helpers/snapshots';

const ROOM = 'hall';

function room(...devices: [id: string, faces: number, opts?: SnapshotOptions][]): DeviceParts {
  return new Map(devices.map(([id, faces, opts]) => [id, makeSnapshot(id, ROOM, 1, faces, opts)]));
}
const live = (parts: DeviceParts, minGroup: number) => toLiveAggregate(roomStateOf(ROOM, parts, null, 0), minGroup);

describe('room aggregate on read faces', () => {
  it('reads every face of an agent older than the readable-size gate, as before', () => {
    const parts = room(['old-cam', 8]);
    const agg = live(parts, 3);
    expect(agg).toMatchObject({ faces: 8, read: 8, tooSmall: 0, minReadablePx: null, emotionEnabled: true });
    expect(agg.suppressed).toBe(false);
    expect(agg.distribution).toEqual(parts.get('old-cam')!.aggregate.distribution);
    expect(agg.tracks).toHaveLength(8);
  });

  it('weights emotions by read faces and attention by all faces across mixed devices', () => {
    const parts = room(
      ['old-cam', 4, { happy: 0.9 }],
      ['far-cam', 10, { happy: 0.1, tooSmall: 8, minReadablePx: 20 }],
      ['near-cam', 6, { happy: 0.5, tooSmall: 0, minReadablePx: 24 }],
    );
    const agg = live(parts, 3);
    const s = (id: string) => parts.get(id)!;
    const byRead = mergeAggregates([
      { faces: 4, aggregate: s('old-cam').aggregate },
      { faces: 2, aggregate: s('far-cam').aggregate },
      { faces: 6, aggregate: s('near-cam').aggregate },
    ]);
    const byFaces = mergeAggregates([...parts.values()].map((x) => ({ faces: x.faces, aggregate: x.aggregate })));
    expect(agg).toMatchObject({ faces: 20, read: 12, tooSmall: 8, suppressed: false });
    // The strictest gate: every too-small face is under it.
    expect(agg.minReadablePx).toBe(24);
    for (let i = 0; i < 7; i++) expect(agg.distribution![i]).toBeCloseTo(byRead.distribution[i]!, 12);
    expect(agg.valence).toBeCloseTo(byRead.valence, 12);
    expect(agg.attention).toBeCloseTo(byFaces.attention, 12);
    expect(agg.tracks).toHaveLength(12);
  });

  it('withholds emotions but not attention or counts when fewer than K faces are read', () => {
    const agg = live(room(['far-cam', 10, { tooSmall: 8 }]), 3);
    expect(agg).toMatchObject({
      faces: 10,
      read: 2,
      tooSmall: 8,
      minReadablePx: 16,
      emotionEnabled: true,
      suppressed: true,
      distribution: null,
      dominant: null,
      valence: null,
      tracks: [],
    });
    expect(agg.attention).toBeCloseTo(0.8, 12);
  });

  it('withholds emotions when no face at all is readable', () => {
    const agg = live(room(['far-cam', 6, { tooSmall: 6 }]), 3);
    expect(agg).toMatchObject({ faces: 6, read: 0, tooSmall: 6, suppressed: true, distribution: null });
    expect(agg.attention).not.toBeNull();
  });

  it('withholds everything but counts below K faces, as before', () => {
    const agg = live(room(['cam', 2, { tooSmall: 1 }]), 3);
    expect(agg).toMatchObject({ faces: 2, read: 1, tooSmall: 1, suppressed: true, attention: null, tracks: [] });
  });

  it('counts no read faces from a device with emotion inference off', () => {
    const off = live(room(['off-cam', 20, { emotionEnabled: false }]), 3);
    // Not suppressed: there are no emotion figures to withhold, only attention and counts.
    expect(off).toMatchObject({ faces: 20, read: 0, tooSmall: 0, emotionEnabled: false, suppressed: false });
    expect(off.distribution).toBeNull();
    expect(off.attention).not.toBeNull();

    const mixed = live(room(['off-cam', 20, { emotionEnabled: false }], ['on-cam', 2]), 3);
    expect(mixed).toMatchObject({ faces: 22, read: 2, emotionEnabled: true, suppressed: true, distribution: null });
    expect(mixed.attention).not.toBeNull();

    const enough = live(room(['off-cam', 20, { emotionEnabled: false }], ['on-cam', 4, { happy: 0.9 }]), 3);
    expect(enough).toMatchObject({ faces: 24, read: 4, suppressed: false, dominant: 'happy' });
    expect(enough.tracks).toHaveLength(4);
  });
});
