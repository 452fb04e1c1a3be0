import { EMOTIONS } from '@lectern/protocol';
import type { SessionReport } from './report';
import { formatReportTime } from './report-format';

const num = (v: number | null): string => (v === null ? '' : String(Math.round(v * 10_000) / 10_000));
/** A comment line holds one line of text whatever a title contains. */
const line = (s: string): string => `# ${s.replace(/[\r\n]+/g, ' ')}`;

/** The columns, in the order existing consumers read them; session_s was added last. */
export const CSV_COLUMNS = ['time', 'ts', 'faces', 'read', 'valence', 'attention', ...EMOTIONS, 'session_s'] as const;

/**
 * The report's timeline as CSV: one row per point (1 s buckets for sessions up to 15 min, else 1 min),
 * withheld values empty. A block of `#` comment lines first documents the units (pandas: comment='#',
 * R: comment.char='#'); then the header row and the data.
 */
export function reportCsv(r: SessionReport): string {
  const v = r.view;
  // An uploaded video's times are into the video (report-view.ts): the upload's wall clock means nothing there.
  const video = v.time.mode === 'video';
  const origin = video ? v.time.origin : r.session.startedAt;
  const units = video
    ? 'Units: time = bucket start into the video, m:ss or h:mm:ss; ts = the same in ms from the video start; '
    : 'Units: time = bucket start, ISO 8601 UTC; ts = the same in ms since 1970-01-01 UTC; ';
  const sessionS = video
    ? 'session_s = seconds from the video start to the bucket start.'
    : 'session_s = seconds from the session start to the bucket start (slightly negative for the first bucket).';
  const lines = [
    line(
      units +
        'faces = mean listeners per bucket; read = mean read faces per bucket (emotions stand for these); ' +
        'valence = -1..1 (unpleasant..pleasant); attention = 0..1 (share facing the camera); ' +
        `${EMOTIONS.join(', ')} = share of read faces 0..1 (sum 1); ${sessionS}`,
    ),
    line(
      `Session: ${v.title}; room: ${v.room}; ${video ? 'uploaded' : 'started'} ${new Date(r.session.startedAt).toISOString()} (${v.started}, ${v.timeZone}); duration ${v.duration} (${num(r.summary.durationS)} s).`,
    ),
    ...(v.presence ? [line(v.presence)] : []),
    ...(v.withheld ? [line(v.withheld)] : []),
    line(`Empty values are withheld: ${v.threshold}`),
    CSV_COLUMNS.join(','),
  ];
  for (const p of r.timeline) {
    const dist = p.distribution ?? new Array<number | null>(EMOTIONS.length).fill(null);
    lines.push(
      [
        video ? formatReportTime(p.ts, v.time) : new Date(p.ts).toISOString(),
        video ? p.ts - origin : p.ts,
        num(p.faces),
        num(p.read),
        num(p.valence),
        num(p.attention),
        ...dist.map((d) => num(d)),
        num((p.ts - origin) / 1000),
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
