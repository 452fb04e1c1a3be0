import type { SessionReport } from './report';
import {
  dominantIndex,
  emotionLabel,
  formatClock,
  formatDateTime,
  formatDuration,
  formatElapsed,
  formatPercent,
  formatSigned,
  listenerSummary,
  peakSentence,
  presenceText,
  reportTimeAxisTitle,
  thresholdText,
  withheldText,
  type ReportTimeAxis,
  type ReportView,
} from './report-format';

export type { ReportView };

export interface ReportViewContext {
  /** The room's name; null for an uploaded video (no room) or a room that no longer exists. */
  roomName: string | null;
  /** The room's zone when it has one, else the cloud's (TZ). */
  timeZone: string;
  /** Where the zone comes from, for the note on the page. */
  zoneSource: 'room' | 'cloud';
  minGroupSize: number;
}

/** The timeline's bucket length: the smallest step between points (1 s or 1 min), 1 s without two points. */
export function timelineStepMs(points: readonly { ts: number }[]): number {
  let step = Infinity;
  for (let i = 1; i < points.length; i++) step = Math.min(step, points[i]!.ts - points[i - 1]!.ts);
  return Number.isFinite(step) && step > 0 ? step : 1000;
}

/**
 * How the report shows time. An uploaded video's wall-clock times are those of the upload, which mean nothing:
 * its times are into the video, from the bucket holding its first frame (the session start, whole seconds, or
 * the first point when that bucket starts earlier, as a 1 min bucket does).
 */
export function reportTimeAxis(r: Pick<SessionReport, 'session' | 'timeline'>, timeZone: string): ReportTimeAxis {
  const s = r.session;
  if (s.source !== 'upload') return { mode: 'clock', origin: s.startedAt, timeZone };
  const origin = Math.min(Math.floor(s.startedAt / 1000) * 1000, r.timeline[0]?.ts ?? Infinity);
  return { mode: 'video', origin, timeZone };
}

/** Every derived figure of a report as text: the web API carries it, the PDF and CSV print it. */
export function reportView(r: Omit<SessionReport, 'view'>, ctx: ReportViewContext): ReportView {
  const { session: s, summary } = r;
  const tz = ctx.timeZone;
  const mood = dominantIndex(summary.distribution);
  const time = reportTimeAxis(r, tz);
  const of = time.mode === 'video' ? 'video' : 'session';
  const withheld = withheldText(r.timeline, ctx.minGroupSize, of);
  const zoneNote = `local to ${tz} (${ctx.zoneSource === 'room' ? "the room's" : "the cloud's"} time zone)`;
  return {
    title: s.title || 'Untitled session',
    room: ctx.roomName ?? (s.roomId ? s.roomId : 'Uploaded video'),
    timeZone: tz,
    time,
    timeAxisTitle: reportTimeAxisTitle(time),
    timeZoneNote:
      time.mode === 'video'
        ? `Times are into the video (0:00 is its first frame); the upload's date is ${zoneNote}.`
        : `Times are ${zoneNote}.`,
    started: formatDateTime(s.startedAt, tz),
    duration: formatDuration(summary.durationS),
    peakListeners: String(summary.peakFaces),
    read: `${summary.meanRead.toFixed(1)} of ${summary.meanFaces.toFixed(1)}`,
    meanValence: formatSigned(summary.meanValence),
    meanAttention: formatPercent(summary.meanAttention),
    mood: mood < 0 ? '—' : emotionLabel(mood),
    peaks: [...r.peaks]
      .sort((a, b) => a.ts - b.ts)
      .map((p) => {
        const into = formatElapsed(p.ts - time.origin);
        const clock = time.mode === 'video' ? into : formatClock(p.ts, tz);
        return { ...p, clock, into, sentence: peakSentence(p.kind, p.value, into, of) };
      }),
    noPeaks: 'No notable peaks.',
    listenerSummary: listenerSummary(r.listeners),
    // When faces were there: always for a video, for a live session when it is all that can be shown.
    presence: time.mode === 'video' || withheld ? presenceText(r.timeline, time, timelineStepMs(r.timeline)) : null,
    withheld,
    threshold: thresholdText(ctx.minGroupSize),
    minGroupSize: ctx.minGroupSize,
  };
}
