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
