import { EMOTION_COUNT } from '@lectern/protocol';
import type { TimelinePoint } from '../api/contract';
import type { AggregateEntity } from '../db/entities';
import { shownAtMinGroup } from '../privacy/min-group';

export type { TimelinePoint };

type Values = Omit<TimelinePoint, 'ts' | 'faces' | 'read'>;

/**
 * Aggregate rows -> timeline points. Rows sharing a bucket (a flush in mid-bucket) are merged weighted by
 * samples; the minimum group size withholds attention below K faces and emotion figures below K read faces.
 */
export function toTimeline(rows: readonly AggregateEntity[], minGroupSize: number): TimelinePoint[] {
  const byTs = new Map<number, AggregateEntity[]>();
  for (const r of rows) {
    const list = byTs.get(r.ts);
    if (list) list.push(r);
    else byTs.set(r.ts, [r]);
  }
  const points: TimelinePoint[] = [];
  for (const [ts, group] of [...byTs.entries()].sort((a, b) => a[0] - b[0])) {
    const samples = group.reduce((n, r) => n + r.samples, 0) || 1;
    const faces = group.reduce((n, r) => n + r.faces * r.samples, 0) / samples;
    const read = group.reduce((n, r) => n + r.read * r.samples, 0) / samples;
    const shown = shownAtMinGroup(faces, read, minGroupSize);
    const v = mergeValues(group);
    points.push({
      ts,
      faces,
      read,
      valence: shown.emotion ? v.valence : null,
      attention: shown.attention ? v.attention : null,
      distribution: shown.emotion ? v.distribution : null,
    });
  }
  return points;
}

function mergeValues(group: readonly AggregateEntity[]): Values {
  let vw = 0;
  let v = 0;
  let aw = 0;
  let a = 0;
  const dist = new Array<number>(EMOTION_COUNT).fill(0);
  for (const r of group) {
    if (r.valence !== null && r.distribution !== null) {
      vw += r.samples;
      v += r.valence * r.samples;
      const d = JSON.parse(r.distribution) as number[];
      for (let i = 0; i < EMOTION_COUNT; i++) dist[i]! += (d[i] ?? 0) * r.samples;
    }
    if (r.attention !== null) {
      aw += r.samples;
      a += r.attention * r.samples;
    }
  }
  return {
    valence: vw ? v / vw : null,
    attention: aw ? a / aw : null,
    distribution: vw ? dist.map((x) => x / vw) : null,
  };
}
