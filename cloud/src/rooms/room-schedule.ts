import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { ScheduleSlotEntity } from '../db/entities';
import { isValidTimeZone, minutesOf, type ScheduleSlot } from '../sessions/schedule';

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

const slotBody = z
  .object({
    weekday: z.number().int().min(0).max(6).describe('0 = Sunday ... 6 = Saturday'),
    start: z.string().regex(HHMM, 'must be HH:MM (00:00-23:59)'),
    end: z.string().regex(new RegExp(`${HHMM.source}|^24:00$`), 'must be HH:MM (00:01-24:00)'),
    timeZone: z
      .string()
      .max(64)
      .refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Berlin')
      .nullable()
      .optional()
      .describe("IANA zone; omitted or null uses the cloud's zone"),
    title: z.string().min(1).max(200).nullable().optional(),
  })
  .refine((s) => minutesOf(s.end) > minutesOf(s.start), {
    message: 'end must be later than start (a slot cannot cross midnight; split it in two)',
    path: ['end'],
  });

/** PUT body: the whole timetable, replacing the previous one. */
export const scheduleBody = z.object({ slots: z.array(slotBody).max(200) }).superRefine((body, ctx) => {
  // Overlapping slots would make "which lecture is this" ambiguous; only comparable within one zone.
  body.slots.forEach((a, i) => {
    body.slots.slice(0, i).forEach((b, j) => {
      const sameDay = a.weekday === b.weekday && (a.timeZone ?? null) === (b.timeZone ?? null);
      if (sameDay && minutesOf(a.start) < minutesOf(b.end) && minutesOf(b.start) < minutesOf(a.end)) {
        ctx.addIssue({ code: 'custom', path: ['slots', i], message: `overlaps slot ${j}` });
      }
    });
  });
});

export type ScheduleBody = z.infer<typeof scheduleBody>;

export interface ScheduleSlotView {
  weekday: number;
  start: string;
  end: string;
  timeZone: string | null;
  title: string | null;
}

export interface RoomScheduleView {
  roomId: string;
  /** Zone used by slots whose timeZone is null. */
  defaultTimeZone: string;
  slots: ScheduleSlotView[];
}

export function toSlotView(s: ScheduleSlot): ScheduleSlotView {
  return { weekday: s.weekday, start: s.startTime, end: s.endTime, timeZone: s.timeZone, title: s.title };
}

/** Ordered so the first slot on wins consistently (see slotOnAt). */
export function loadSlots(ds: DataSource, roomId?: string): Promise<ScheduleSlotEntity[]> {
  return ds.getRepository(ScheduleSlotEntity).find({
    where: roomId === undefined ? {} : { roomId },
    order: { roomId: 'ASC', weekday: 'ASC', startTime: 'ASC', id: 'ASC' },
  });
}

/** Replaces a room's timetable in one transaction, so a failed write keeps the old one. */
export async function replaceSlots(ds: DataSource, roomId: string, body: ScheduleBody): Promise<void> {
  await ds.transaction(async (em) => {
    const repo = em.getRepository(ScheduleSlotEntity);
    await repo.delete({ roomId });
    if (body.slots.length === 0) return;
    await repo.insert(
      body.slots.map((s) => ({
        roomId,
        weekday: s.weekday,
        startTime: s.start,
        endTime: s.end,
        timeZone: s.timeZone ?? null,
        title: s.title ?? null,
      })),
    );
  });
}
