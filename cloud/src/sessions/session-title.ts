/**
 * The one naming scheme for sessions nobody titled: the room's name and the local start time, e.g.
 * "Hall A · Tue, 1 Dec 2026, 14:03". Automatic, timetabled and manual sessions alike; a speaker can rename.
 */
export function defaultSessionTitle(roomName: string, at: number, timeZone?: string): string {
  const when = new Intl.DateTimeFormat('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    ...(timeZone ? { timeZone } : {}),
  }).format(new Date(at));
  return `${roomName} · ${when}`;
}

/** Longest session title; the dashboard's title fields carry the same limit. */
export const MAX_SESSION_TITLE = 200;
