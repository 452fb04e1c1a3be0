import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client';
import type { RoomSchedule, ScheduleSlot } from '../api/types';
import { useAction } from '../hooks';
import { ErrorNote, Loading } from './ui';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

interface Row {
  key: number;
  weekday: number;
  start: string;
  end: string;
  title: string;
}

let nextKey = 1;
const rowOf = (s: ScheduleSlot): Row => ({
  key: nextKey++,
  weekday: s.weekday,
  start: s.start,
  end: s.end,
  title: s.title ?? '',
});

/**
 * A room's weekly timetable: 'schedule' sessions start and stop on their own during these slots. Saving
 * replaces the whole timetable; the server checks overlaps and times and its message is shown as is.
 */
export function RoomTimetableForm({ roomId, onClose }: { roomId: string; onClose: () => void }) {
  const [rows, setRows] = useState<Row[] | null>(null);
  const [zone, setZone] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const { busy, error, run } = useAction();

  useEffect(() => {
    void run(() => api.get<RoomSchedule>(`/api/rooms/${encodeURIComponent(roomId)}/schedule`)).then((s) => {
      if (!s) return;
      setRows(s.slots.map(rowOf));
      setZone(s.defaultTimeZone);
    });
  }, [roomId]);

  const update = (key: number, patch: Partial<Row>) =>
    setRows((rs) => rs?.map((r) => (r.key === key ? { ...r, ...patch } : r)) ?? null);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!rows) return;
    setSaved(null);
    const slots = rows.map((r) => ({
      weekday: r.weekday,
      start: r.start,
      // A time input cannot show 24:00: an end at 00:00 means midnight, the end of that day.
      end: r.end === '00:00' ? '24:00' : r.end,
      title: r.title.trim() || null,
    }));
    const ok = await run(() =>
      api.put(`/api/rooms/${encodeURIComponent(roomId)}/schedule`, { slots }).then(() => true),
    );
    if (ok) setSaved(`Timetable saved: ${slots.length} slot${slots.length === 1 ? '' : 's'} a week.`);
  };

  return (
    <form class="panel config-form" onSubmit={(e) => void submit(e)} data-testid="timetable-form">
      <div class="panel-head">
        <h2>
          Timetable of <span class="mono">{roomId}</span>
        </h2>
        <button type="button" class="btn btn-ghost" onClick={onClose}>
          Close
        </button>
      </div>
      {!rows && !error && <Loading />}
      {rows && (
        <>
          <p class="muted">
            Sessions start and stop on their own in these slots ({zone || 'server'} time). A speaker's own start always
            wins.
          </p>
          {rows.length === 0 && <p class="muted">No slots yet.</p>}
          <ul class="timetable" data-testid="timetable-slots">
            {rows.map((r, i) => (
              <li key={r.key} class="timetable-row" data-testid={`timetable-slot-${i}`}>
                <select
                  aria-label="Weekday"
                  data-testid="slot-weekday"
                  value={String(r.weekday)}
                  onChange={(e) => update(r.key, { weekday: Number(e.currentTarget.value) })}
                >
                  {WEEKDAYS.map((d, n) => (
                    <option key={d} value={String(n)}>
                      {d}
                    </option>
                  ))}
                </select>
                <input
                  aria-label="Start"
                  data-testid="slot-start"
                  type="time"
                  required
                  value={r.start}
                  onInput={(e) => update(r.key, { start: e.currentTarget.value })}
                />
                <input
                  aria-label="End"
                  data-testid="slot-end"
                  type="time"
                  required
                  value={r.end === '24:00' ? '00:00' : r.end}
                  onInput={(e) => update(r.key, { end: e.currentTarget.value })}
                />
                <input
                  aria-label="Title"
                  data-testid="slot-title"
                  placeholder="Lecture title (optional)"
                  maxLength={200}
                  value={r.title}
                  onInput={(e) => update(r.key, { title: e.currentTarget.value })}
                />
                <button
                  type="button"
                  class="btn btn-small btn-ghost"
                  aria-label={`Remove slot ${i + 1}`}
                  onClick={() => setRows((rs) => rs?.filter((x) => x.key !== r.key) ?? null)}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
          <div class="form-actions">
            <button
              type="button"
              class="btn btn-ghost"
              data-testid="timetable-add"
              onClick={() =>
                setRows((rs) => [
                  ...(rs ?? []),
                  { key: nextKey++, weekday: 1, start: '09:00', end: '10:30', title: '' },
                ])
              }
            >
              Add slot
            </button>
            <button type="submit" class="btn btn-primary" data-testid="timetable-save" disabled={busy}>
              Save timetable
            </button>
          </div>
        </>
      )}
      <ErrorNote message={error} />
      {saved && (
        <div class="note note-ok" role="status" data-testid="timetable-saved">
          {saved}
        </div>
      )}
    </form>
  );
}
