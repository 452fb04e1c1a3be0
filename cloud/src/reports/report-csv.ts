import { EMOTIONS } from '@lectern/protocol';
import type { SessionReport } from './report';

const num = (v: number | null): string => (v === null ? '' : String(Math.round(v * 10_000) / 10_000));

/** The report's timeline as CSV (one row per point; suppressed points have empty values). */
export function reportCsv(r: SessionReport): string {
  const header = ['time', 'ts', 'faces', 'read', 'valence', 'attention', ...EMOTIONS];
  const lines = [header.join(',')];
  for (const p of r.timeline) {
    const dist = p.distribution ?? new Array<number | null>(EMOTIONS.length).fill(null);
    lines.push(
      [
        new Date(p.ts).toISOString(),
        p.ts,
        num(p.faces),
        num(p.read),
        num(p.valence),
        num(p.attention),
        ...dist.map((d) => num(d)),
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
