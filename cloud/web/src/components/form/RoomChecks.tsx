import type { Room } from '../../api/types';

/** The rooms a speaker may see, one checkbox a room; `empty` is said while there are no rooms at all. */
export function RoomChecks({
  rooms,
  selected,
  onToggle,
  class: className = 'checks',
  empty,
}: {
  rooms: Room[];
  selected: string[];
  onToggle: (roomId: string, on: boolean) => void;
  class?: string;
  empty?: string;
}) {
  return (
    <fieldset class={className}>
      <legend>Rooms</legend>
      {rooms.length === 0 && empty && <span class="muted">{empty}</span>}
      {rooms.map((r) => (
        <label key={r.id} class="check">
          <input
            type="checkbox"
            checked={selected.includes(r.id)}
            onChange={(e) => onToggle(r.id, e.currentTarget.checked)}
          />
          {r.name}
        </label>
      ))}
    </fieldset>
  );
}
