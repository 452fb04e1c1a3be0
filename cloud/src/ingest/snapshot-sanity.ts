import { MAX_SNAPSHOT_HZ, type Snapshot } from '@lectern/protocol';

/**
 * How far ahead of the cloud's clock a capture time may be. Devices sync with NTP; a few minutes covers a
 * clock that drifted between syncs, and nothing beyond it can open time buckets ahead of the present.
 */
export const MAX_CLOCK_AHEAD_MS = 5 * 60_000;

/** The largest step between two seqs of one epoch: 90 days at the highest snapshot rate a device may run. */
export const MAX_SEQ_JUMP = MAX_SNAPSHOT_HZ * 90 * 86_400;

/** Why a snapshot is refused before storage: the counted reason (metrics label) and a sentence for the log. */
export interface Insanity {
  counted: 'clock-ahead' | 'clock-behind' | 'seq-jump';
  reason: string;
}

/**
 * Checks a validated snapshot's capture time against the cloud's clock and its seq against the highest seq
 * of the same device and epoch seen so far (undefined when none since start). Capture times older than the
 * snapshot retention are refused too: a device clock that was never set (1970) or data the retention job
 * would delete at once.
 */
export function checkSnapshotSanity(
  s: Pick<Snapshot, 'seq' | 'capturedAt'>,
  receivedAt: number,
  retentionDays: number,
  highestSeq: number | undefined,
): Insanity | null {
  const ahead = s.capturedAt - receivedAt;
  if (ahead > MAX_CLOCK_AHEAD_MS) {
    return { counted: 'clock-ahead', reason: `captured ${minutes(ahead)} ahead of the cloud's clock` };
  }
  const behind = receivedAt - s.capturedAt;
  if (behind > retentionDays * 86_400_000) {
    return {
      counted: 'clock-behind',
      reason: `captured ${minutes(behind)} ago, before the snapshot retention of ${retentionDays} days`,
    };
  }
  if (highestSeq !== undefined && s.seq - highestSeq > MAX_SEQ_JUMP) {
    return { counted: 'seq-jump', reason: `seq ${s.seq} jumps ${s.seq - highestSeq} past ${highestSeq}` };
  }
  return null;
}

const minutes = (ms: number): string => `${Math.round(ms / 60_000)} min`;
