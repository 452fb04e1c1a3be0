import { dateTime } from '../format';

/** GET /api/uploads/limits: the server's upload limits and the caller's use of the quota. */
export interface UploadLimits {
  maxMb: number;
  maxMinutes: number;
  perDay: number;
  concurrent: number;
  usedToday: number;
  pending: number;
  nextUploadAt: number | null;
  /** K for an upload without a room (a room has its own, GET /api/rooms); absent on older servers. */
  minGroupSize?: number;
}

/**
 * Said before an upload: emotion figures need at least K faces read at once, so a clip with fewer shows
 * face counts only.
 */
export function minGroupText(k: number): string {
  const text =
    `Minimum group size: ${k}. Emotion figures appear only where at least ${k} ` +
    `${k === 1 ? 'face was' : 'faces were'} read at the same time, to protect individuals`;
  if (k <= 1) return `${text}.`;
  const fewer = k === 2 ? 'one face' : `only ${k === 3 ? 'one or two' : `up to ${k - 1}`} faces`;
  return (
    `${text}: a video showing ${fewer} at a time gets face counts and when faces were visible, ` + `but no emotions.`
  );
}

/** One line under the upload form; refusals themselves come from the server, shown as it words them. */
export function limitsText(l: UploadLimits, when: (ms: number) => string = dateTime): string {
  const parts = [
    `Videos up to ${l.maxMinutes} min and ${l.maxMb} MB`,
    `${l.usedToday} of ${l.perDay} uploads used in the last 24 h`,
    `at most ${l.concurrent} waiting for analysis at a time`,
  ];
  const text = `${parts.join(' · ')}.`;
  return l.nextUploadAt !== null && l.usedToday >= l.perDay
    ? `${text} You can upload again from ${when(l.nextUploadAt)}.`
    : text;
}
