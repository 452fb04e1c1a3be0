import type { Role, Room } from '../../api/types';
import type { Option } from './SelectField';

/** Every role a user can have, in the order the forms offer them. */
export const ROLES: Role[] = ['speaker', 'installer', 'admin'];

export const roleOptions: Option<Role>[] = ROLES.map((r) => ({ value: r, label: r }));

/** Rooms as a device's room choice: the building too, as several buildings may have a "Room 1". */
export function roomOptions(rooms: Room[]): Option<string>[] {
  return rooms.map((r) => ({ value: r.id, label: `${r.name} · ${r.buildingName}` }));
}

/**
 * A room or device id field: the browser's form of SLUG_RE (cloud/src/rooms/slug.ts). Browsers compile `pattern`
 * with the `v` flag, where a bare `-` in a class is an error, hence `\-`; keep the two in step.
 */
export const SLUG_INPUT = {
  pattern: '[a-z0-9][a-z0-9_\\-]{0,63}',
  title: 'Lower-case letters, digits, - and _ (starting with a letter or digit)',
};
