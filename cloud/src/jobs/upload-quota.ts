import { In, MoreThan, type Repository } from 'typeorm';
import type { JobEntity } from '../db/entities';

export const DAY_MS = 24 * 3600 * 1000;

export interface UploadQuotaLimits {
  /** LECTERN_UPLOAD_QUOTA_PER_DAY */
  perDay: number;
  /** LECTERN_UPLOAD_QUOTA_CONCURRENT */
  concurrent: number;
}

export interface UploadQuotaState extends UploadQuotaLimits {
  /** The user's uploads in the last 24 hours, whatever became of them. */
  usedToday: number;
  /** The user's uploads queued or running now. */
  pending: number;
  /** While the daily quota is used up: when (ms) the oldest counted upload leaves the 24-hour window. */
  nextUploadAt: number | null;
}

/** An upload refused by the quota; `retryAt` (ms) is known for the daily quota only. */
export class UploadQuotaExceeded extends Error {
  constructor(
    message: string,
    readonly retryAt: number | null,
  ) {
    super(message);
  }
}

/**
 * Counted from the job table, so restarts forget nothing: every upload that became a job counts for 24
 * hours (done, failed or cancelled alike: a cancelled analysis may already have used the CPU); uploads
 * refused up front (too long, unreadable, over quota) never became jobs and do not count.
 */
export async function uploadQuotaState(
  repo: Repository<JobEntity>,
  userId: string,
  limits: UploadQuotaLimits,
  now = Date.now(),
): Promise<UploadQuotaState> {
  const recent = await repo.find({
    select: { id: true, createdAt: true },
    where: { userId, createdAt: MoreThan(now - DAY_MS) },
    order: { createdAt: 'ASC' },
  });
  const pending = await repo.countBy({ userId, status: In(['queued', 'running']) });
  const usedToday = recent.length;
  const oldest = usedToday >= limits.perDay ? recent[usedToday - limits.perDay] : undefined;
  return { ...limits, usedToday, pending, nextUploadAt: oldest ? oldest.createdAt + DAY_MS : null };
}

/** The refusal for one more upload in `state`, or null when it is allowed. */
export function quotaRefusal(state: UploadQuotaState, now = Date.now()): UploadQuotaExceeded | null {
  if (state.usedToday >= state.perDay) {
    const at = state.nextUploadAt ?? now + DAY_MS;
    return new UploadQuotaExceeded(
      `You have uploaded ${state.usedToday} ${plural(state.usedToday, 'video')} in the last 24 hours; uploads ` +
        `are limited to ${state.perDay} per user in 24 hours (LECTERN_UPLOAD_QUOTA_PER_DAY). ` +
        `You can upload again in ${inWords(at - now)}, at ${utcTime(at)}.`,
      at,
    );
  }
  if (state.pending >= state.concurrent) {
    return new UploadQuotaExceeded(
      `You already have ${state.pending} ${plural(state.pending, 'video')} waiting for or in analysis; ` +
        `uploads are limited to ${state.concurrent} per user at a time (LECTERN_UPLOAD_QUOTA_CONCURRENT). ` +
        'You can upload again as soon as one of them has finished, or cancel one to make room now.',
      null,
    );
  }
  return null;
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

/** "3 h 12 min", "12 min", "1 min": rounded up, so the user never comes back too early. */
export function inWords(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** "2026-12-02 14:05 UTC": the server does not know the user's time zone. */
function utcTime(ms: number): string {
  // Rounded up to the minute, like inWords.
  const d = new Date(Math.ceil(ms / 60_000) * 60_000);
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
