import type { ScheduleSlotEntity } from '../db/entities';

export type ScheduleSlot = Pick<ScheduleSlotEntity, 'weekday' | 'startTime' | 'endTime' | 'timeZone' | 'title'>;

/** A slot that is on at a given instant, for one particular week. */
export interface SlotOccurrence {
  /** Same slot on the same local date: lets a tick tell "this lecture" from next week's. */
  key: string;
  slot: ScheduleSlot;
  startsAt: number;
  endsAt: number;
}

/** The zone a slot without its own uses: the process zone (TZ), i.e. the cloud's configured zone. */
export function cloudTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** "HH:MM" -> minutes after midnight. */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Local wall clock of `now` in `zone`. */
function wallClock(now: number, zone: string): { date: string; weekday: number; msOfDay: number } {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(now)).map((x) => [x.type, x.value]));
  const msOfDay = ((Number(p.hour) * 60 + Number(p.minute)) * 60 + Number(p.second)) * 1000 + (now % 1000);
  return { date: `${p.year}-${p.month}-${p.day}`, weekday: WEEKDAYS.indexOf(p.weekday!), msOfDay };
}

/**
 * The first slot (by weekday, start) that is on at `now`. Start is inclusive, end exclusive, so back-to-back
 * slots hand over without a gap or overlap. A DST jump inside a slot shifts its end by the jump, as a wall
 * clock would.
 */
export function slotOnAt(
  slots: readonly (ScheduleSlot & { id: number })[],
  now: number,
  defaultZone = cloudTimeZone(),
): SlotOccurrence | null {
  for (const slot of slots) {
    const zone = slot.timeZone ?? defaultZone;
    const wc = wallClock(now, zone);
    if (wc.weekday !== slot.weekday) continue;
    const startMs = minutesOf(slot.startTime) * 60_000;
    const endMs = minutesOf(slot.endTime) * 60_000;
    if (wc.msOfDay < startMs || wc.msOfDay >= endMs) continue;
    return {
      key: `${slot.id}@${wc.date}`,
      slot,
      startsAt: now - (wc.msOfDay - startMs),
      endsAt: now + (endMs - wc.msOfDay),
    };
  }
  return null;
}
