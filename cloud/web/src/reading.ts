// Words for how many listeners are read and why the rest are not: the live page, room cards and the fleet view.
import type { DeviceFaceSizes, LiveAggregate } from './api/types';

type Counts = Pick<LiveAggregate, 'faces' | 'read' | 'tooSmall' | 'minReadablePx' | 'emotionEnabled'>;

/** What follows the listener count: "listeners, 4 read"; no read count where no camera reads emotions (policy). */
export function countsLabel(c: Counts): string {
  const listeners = c.faces === 1 ? 'listener' : 'listeners';
  return c.emotionEnabled ? `${listeners}, ${c.read} read` : listeners;
}

/** "8 too small to read (under 16 px)"; null when no listener is too small (or none would be read anyway). */
export function tooSmallText(c: Counts): string | null {
  if (!c.emotionEnabled || c.tooSmall === 0) return null;
  return `${c.tooSmall} too small to read${c.minReadablePx === null ? '' : ` (under ${c.minReadablePx} px)`}`;
}

/** What the speaker or installer can do about faces too small to read. */
export const TOO_SMALL_HINT =
  'The camera sees these faces too small to read their expressions: zoom or aim it at the seats, move it closer, or raise its resolution.';

/** Why the minimum group size hides figures: too few listeners, or too few of them read. */
export function suppressedText(c: Counts, minGroup: number): string {
  if (c.faces < minGroup) return `Fewer than ${minGroup} listeners — hidden for privacy`;
  return `Fewer than ${minGroup} listeners read (${c.read} of ${c.faces}) — emotions hidden for privacy`;
}

/** The same, in a room card's few characters. */
export function suppressedShort(c: Counts, minGroup: number): string {
  return c.faces < minGroup ? `hidden (< ${minGroup})` : `hidden (< ${minGroup} read)`;
}

/** Share of a device's recent faces below its readable size; null when it saw none. */
export function tooSmallShare(s: DeviceFaceSizes): number | null {
  return s.faces > 0 ? s.tooSmall / s.faces : null;
}

/** Most faces too small: the camera is placed or set up so that the room can hardly be read. */
export function mostlyTooSmall(s: DeviceFaceSizes): boolean {
  return s.tooSmall * 2 > s.faces;
}
