/**
 * The report's wording and colours, in one place for the web report, the PDF and the CSV.
 *
 * Dependency-free on purpose (no imports at all, only the JavaScript runtime's Intl): the server
 * (`cloud/src/reports/*`) and the dashboard (`cloud/web/src/pages/SessionReportPage.tsx`) both import it, and
 * the dashboard must not pull server code into the browser bundle.
 */

/** FER2013 class order, identical to EMOTIONS in @lectern/protocol and cloud/web/src/emotions.ts. */
export const REPORT_EMOTIONS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'] as const;
export type ReportEmotion = (typeof REPORT_EMOTIONS)[number];

/**
 * One colour per emotion everywhere, dashboard (cloud/web/src/emotions.ts imports these) and PDF: the Okabe-Ito
 * palette, distinguishable with the common colour-vision deficiencies. Valence and attention are the dashboard
 * timeline's (cloud/web/src/charts/setup.ts).
 */
export const REPORT_COLORS = {
  emotions: {
    angry: '#D55E00',
    disgust: '#009E73',
    fear: '#CC79A7',
    happy: '#E69F00',
    sad: '#3D8FD1',
    surprise: '#56B4E9',
    neutral: '#9AA3AF',
  } satisfies Record<ReportEmotion, string>,
  valence: '#F2C94C',
  attention: '#7DD3FC',
  faces: '#94A3B8',
} as const;

export const REPORT_EMOTION_LABELS: Record<ReportEmotion, string> = {
  angry: 'Angry',
  disgust: 'Disgust',
  fear: 'Fear',
  happy: 'Happy',
  sad: 'Sad',
  surprise: 'Surprise',
  neutral: 'Neutral',
};

/** Section titles, the same on the web page and in the PDF. */
export const REPORT_SECTIONS = {
  timeline: 'Timeline',
  emotions: 'Emotions over time',
  distribution: 'Distribution over the session',
  peaks: 'Peaks',
  listeners: 'Listeners',
  privacy: 'Privacy',
} as const;

/** Listener summaries cover tracks seen at least this long (shorter ones are passers-by or detector noise). */
export const LISTENER_MIN_SEEN_S = 5;

export type ReportPeakKind = 'valence-high' | 'valence-low' | 'attention-low';

export interface ReportPeakView {
  ts: number;
  kind: ReportPeakKind;
  value: number;
  /** Local clock time in the report's zone, "14:05:49". */
  clock: string;
  /** Time into the session, "0:42" or "1:02:05". */
  into: string;
  /** "Valence peaked at +0.62 at 12:40 into the session". */
  sentence: string;
}

/**
 * How a report shows instants: `clock` = local clock time in `timeZone` (live sessions); `video` = time
 * into the video, "m:ss" / "h:mm:ss" from `origin` (uploads: wall-clock time means nothing there).
 */
export interface ReportTimeAxis {
  mode: 'clock' | 'video';
  /** The instant shown as 0:00 in `video` mode (the video's first frame); the session start otherwise. */
  origin: number;
  timeZone: string;
}

/** Every derived string of a report, computed once on the server and shown as is by the web page and the PDF. */
export interface ReportView {
  title: string;
  /** The room's name (not its id), or "Uploaded video" for an analysed upload. */
  room: string;
  /** IANA zone the local times are in. */
  timeZone: string;
  /** How every time of this report is shown (formatReportTime): clock time, or time into the video. */
  time: ReportTimeAxis;
  /** "local time (Europe/Berlin)" or "time into the video". */
  timeAxisTitle: string;
  /** "Times are local to Europe/Berlin (the cloud's time zone)." or, for uploads, that times are into the video. */
  timeZoneNote: string;
  /** "1 Dec 2026, 15:05:07". */
  started: string;
  /** "42 s", "12 min 05 s", "1 h 02 min". */
  duration: string;
  peakListeners: string;
  /** "5.0 of 5.0". */
  read: string;
  meanValence: string;
  meanAttention: string;
  /** "Happy", or "—" when withheld. */
  mood: string;
  peaks: ReportPeakView[];
  /** Shown when there are no peaks. */
  noPeaks: string;
  listenerSummary: string;
  /**
   * When faces were present, in words ("Faces were visible from 0:12 to 1:40 (2 at most)."): for uploads, and
   * for sessions whose emotions were withheld everywhere; null otherwise or when no face was seen.
   */
  presence: string | null;
  /** Only when emotions were withheld at every point: why, with the numbers; null otherwise. */
  withheld: string | null;
  /** The minimum group size rule, with this room's K. */
  threshold: string;
  minGroupSize: number;
}

/** The web's number formats (as cloud/web/src/format.ts), used by the report page, PDF and CSV alike. */
export function formatSigned(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  // Signed as shown: -0.001 reads "0.00", not "−0.00".
  const shown = Number(v.toFixed(digits));
  return `${shown > 0 ? '+' : shown < 0 ? '−' : ''}${Math.abs(shown).toFixed(digits)}`;
}

export function formatPercent(p: number | null | undefined, digits = 0): string {
  return p === null || p === undefined || !Number.isFinite(p) ? '—' : `${(p * 100).toFixed(digits)}%`;
}

/** Rounded to whole seconds: "42 s", "12 min 05 s", "1 h 02 min". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min ${String(sec).padStart(2, '0')} s`;
  return `${sec} s`;
}

/** Elapsed time as a clock reading: "0:42", "12:40", "1:02:05". */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** Local clock time in `timeZone`: "14:05:07" (or "14:05"). */
export function formatClock(ts: number, timeZone: string, withSeconds = true): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    ...(withSeconds ? { second: '2-digit' } : {}),
    hourCycle: 'h23',
  }).format(ts);
}

/** Local date and time in `timeZone`: "1 Dec 2026, 14:05:07". */
export function formatDateTime(ts: number, timeZone: string): string {
  const date = new Intl.DateTimeFormat('en-GB', { timeZone, day: 'numeric', month: 'short', year: 'numeric' }).format(
    ts,
  );
  return `${date}, ${formatClock(ts, timeZone)}`;
}

/** Offset of `timeZone` from UTC at `ts`, in ms (positive east of Greenwich). */
export function zoneOffsetMs(ts: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(ts);
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - (ts - (ts % 1000));
}

/** The one rule for showing a report's instant: local clock time, or time into the video ("1:40"). */
export function formatReportTime(ts: number, time: ReportTimeAxis, withSeconds = true): string {
  return time.mode === 'video' ? formatElapsed(ts - time.origin) : formatClock(ts, time.timeZone, withSeconds);
}

/** The time axis's title on the web and in the PDF. */
export function reportTimeAxisTitle(time: ReportTimeAxis): string {
  return time.mode === 'video' ? 'time into the video' : `local time (${time.timeZone})`;
}

export function peakSentence(
  kind: ReportPeakKind,
  value: number,
  into: string,
  of: 'session' | 'video' = 'session',
): string {
  switch (kind) {
    case 'valence-high':
      return `Valence peaked at ${formatSigned(value)} at ${into} into the ${of}`;
    case 'valence-low':
      return `Valence fell to ${formatSigned(value)} at ${into} into the ${of}`;
    case 'attention-low':
      return `Attention dipped to ${formatPercent(value)} at ${into} into the ${of}`;
  }
}

export function emotionLabel(index: number): string {
  const e = REPORT_EMOTIONS[index];
  return e ? REPORT_EMOTION_LABELS[e] : '—';
}

/** Index of the largest share, or -1. */
export function dominantIndex(p: readonly number[] | null | undefined): number {
  if (!p || p.length !== REPORT_EMOTIONS.length) return -1;
  let best = 0;
  for (let i = 1; i < p.length; i++) if ((p[i] ?? 0) > (p[best] ?? 0)) best = i;
  return best;
}

export const NO_LISTENERS_TEXT = 'No per-listener summaries (too few listeners read, or emotion inference was off).';

/** "5 listeners seen for 5 s or more (median 9 s). Mostly Happy: 3, Sad: 2. Mean valence +0.21." */
export function listenerSummary(
  listeners: readonly { seenS: number; distribution: readonly number[]; meanValence: number | null }[],
): string {
  if (listeners.length === 0) return NO_LISTENERS_TEXT;
  const seen = listeners.map((l) => l.seenS).sort((a, b) => a - b);
  const mid = Math.floor(seen.length / 2);
  const median = seen.length % 2 ? seen[mid]! : (seen[mid - 1]! + seen[mid]!) / 2;
  const counts = new Map<number, number>();
  for (const l of listeners) {
    const d = dominantIndex(l.distribution);
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  const mostly = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .map(([i, n]) => `${emotionLabel(i)}: ${n}`)
    .join(', ');
  const valences = listeners.map((l) => l.meanValence).filter((v): v is number => v !== null);
  const meanValence = valences.length ? valences.reduce((s, v) => s + v, 0) / valences.length : null;
  const n = listeners.length;
  return (
    `${n} ${n === 1 ? 'listener' : 'listeners'} seen for ${LISTENER_MIN_SEEN_S} s or more ` +
    `(median ${formatDuration(median)}). Mostly ${mostly}. Mean valence ${formatSigned(meanValence)}.`
  );
}

export function thresholdText(minGroupSize: number): string {
  return (
    `Figures from fewer than ${minGroupSize} listeners are withheld: attention below ${minGroupSize} faces, ` +
    `emotions below ${minGroupSize} read faces. Aggregates only; no images or identities are collected.`
  );
}

/** A point of the timeline as far as presence is concerned (bucket means). */
interface PresencePoint {
  ts: number;
  faces: number;
  read: number;
  distribution: readonly number[] | null;
}

/** Gaps up to this many buckets without faces (a missed detection) do not split a spell of presence. */
const PRESENCE_GAP_BUCKETS = 3;
/** More spells than this are summarised instead of listed. */
const PRESENCE_MAX_LISTED = 4;

/**
 * When faces were present, in words: "Faces were visible from 0:12 to 1:40 (2 at most)." A spell ends at the
 * end of its last bucket (`stepMs`, the timeline's bucket length); null when no face was ever seen.
 */
export function presenceText(points: readonly PresencePoint[], time: ReportTimeAxis, stepMs: number): string | null {
  const spells: { from: number; to: number; max: number }[] = [];
  for (const p of points) {
    if (!(p.faces > 0)) continue;
    const last = spells[spells.length - 1];
    if (last && p.ts - last.to <= PRESENCE_GAP_BUCKETS * stepMs) {
      last.to = p.ts + stepMs;
      last.max = Math.max(last.max, p.faces);
    } else spells.push({ from: p.ts, to: p.ts + stepMs, max: p.faces });
  }
  if (spells.length === 0) return null;
  const at = (ts: number) => formatReportTime(ts, time);
  const most = (n: number) => `${Math.ceil(n - 1e-9)} at most`;
  if (spells.length <= PRESENCE_MAX_LISTED)
    return `Faces were visible ${spells.map((s) => `from ${at(s.from)} to ${at(s.to)} (${most(s.max)})`).join(', and ')}.`;
  const total = spells.reduce((n, s) => n + (s.to - s.from), 0);
  const longest = [...spells].sort((a, b) => b.to - b.from - (a.to - a.from))[0]!;
  const max = Math.max(...spells.map((s) => s.max));
  return (
    `Faces were visible at ${spells.length} times between ${at(spells[0]!.from)} and ` +
    `${at(spells[spells.length - 1]!.to)}, ${formatDuration(total / 1000)} in all (${most(max)}); ` +
    `the longest from ${at(longest.from)} to ${at(longest.to)}.`
  );
}

/**
 * Why a report shows no emotion figure at all, with the numbers: "This video showed at most 2 faces at once;
 * emotion figures need at least 3 (the minimum group size) and are withheld to protect individuals."
 * Null when some point shows emotions (nothing to explain) or no face was ever seen (presence says so).
 */
export function withheldText(
  points: readonly PresencePoint[],
  minGroupSize: number,
  of: 'session' | 'video',
): string | null {
  if (points.length === 0 || points.some((p) => p.distribution !== null)) return null;
  const maxFaces = Math.max(0, ...points.map((p) => p.faces));
  if (!(maxFaces > 0)) return null;
  const why = 'are withheld to protect individuals';
  const shown = Math.ceil(maxFaces - 1e-9);
  if (shown < minGroupSize)
    return (
      `This ${of} showed at most ${shown} ${shown === 1 ? 'face' : 'faces'} at once; emotion figures need at least ` +
      `${minGroupSize} (the minimum group size) and ${why}. Face counts are shown.`
    );
  return (
    `This ${of} showed up to ${Math.round(maxFaces)} faces at once, but fewer than ${minGroupSize} of them were read ` +
    `at the same time (faces too small or turned away, or emotion reading off); emotion figures need at least ` +
    `${minGroupSize} read faces (the minimum group size) and ${why}. Face counts are shown.`
  );
}
