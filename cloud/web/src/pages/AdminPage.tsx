import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { Device, Role, Room, User } from '../api/types';
import { DeviceConfigForm } from '../components/DeviceConfigForm';
import { DevicesTable } from '../components/DevicesTable';
import { RoomTimetableForm } from '../components/RoomTimetableForm';
import { Empty, ErrorNote, Loading, PageHeader, Panel } from '../components/ui';
import { useAction, useAsync, useNow } from '../hooks';

export function AdminPage() {
  const rooms = useAsync(() => api.get<Room[]>('/api/rooms'), []);
  return (
    <div class="admin">
      <PageHeader title="Administration" subtitle="Devices, rooms and people" />
      <DevicesSection rooms={rooms.data ?? []} />
      <div class="two-col">
        <RoomsSection rooms={rooms.data} error={rooms.error} reload={rooms.reload} />
        <UsersSection rooms={rooms.data ?? []} />
      </div>
    </div>
  );
}

function DevicesSection({ rooms }: { rooms: Room[] }) {
  const devices = useAsync(() => api.get<Device[]>('/api/devices'), [], 5000);
  const now = useNow(1000);
  const [configuring, setConfiguring] = useState<string | null>(null);
  const list = devices.data ?? [];
  const online = list.filter((d) => d.status === 'online').length;
  return (
    <Panel
      title={`Devices${devices.data ? ` · ${online}/${list.length} online` : ''}`}
      actions={
        <a class="btn btn-ghost" href="#/installer">
          Add device
        </a>
      }
    >
      <ErrorNote message={devices.error} />
      {devices.loading && !devices.data && <Loading />}
      {devices.data && list.length === 0 && <Empty>No devices yet. Register one on the Installer page.</Empty>}
      {list.length > 0 && (
        <DevicesTable
          devices={list}
          rooms={rooms}
          now={now}
          action={(d) => (
            <button
              type="button"
              class="btn btn-small"
              data-testid={`device-config-${d.id}`}
              onClick={() => setConfiguring(configuring === d.id ? null : d.id)}
            >
              Config
            </button>
          )}
        />
      )}
      {configuring && (
        <DeviceConfigForm key={configuring} deviceId={configuring} onClose={() => setConfiguring(null)} />
      )}
    </Panel>
  );
}

function RoomsSection({
  rooms,
  error,
  reload,
}: {
  rooms: Room[] | undefined;
  error: string | null;
  reload: () => void;
}) {
  const [name, setName] = useState('');
  const [building, setBuilding] = useState('');
  const [id, setId] = useState('');
  const { busy, error: formError, run } = useAction();
  const [timetable, setTimetable] = useState<string | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    const created = await run(() =>
      api.post<Room>('/api/rooms', {
        ...(id.trim() ? { id: id.trim() } : {}),
        name: name.trim(),
        buildingName: building.trim(),
      }),
    );
    if (!created) return;
    setName('');
    setId('');
    reload();
  };

  return (
    <Panel title="Rooms">
      <ErrorNote message={error} />
      {rooms && rooms.length === 0 && <Empty>No rooms yet.</Empty>}
      {rooms && rooms.length > 0 && (
        <ul class="list" data-testid="admin-rooms">
          {rooms.map((r) => (
            <li key={r.id} data-testid={`admin-room-${r.id}`}>
              <div>
                <strong>{r.name}</strong>
                <span class="muted"> · {r.buildingName}</span>
              </div>
              <span class="row-actions">
                <span class="muted mono">
                  {r.id} · {r.deviceIds.length} device{r.deviceIds.length === 1 ? '' : 's'}
                </span>
                <button
                  type="button"
                  class="btn btn-small"
                  data-testid={`room-timetable-${r.id}`}
                  onClick={() => setTimetable(timetable === r.id ? null : r.id)}
                >
                  Timetable
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
      {timetable && <RoomTimetableForm key={timetable} roomId={timetable} onClose={() => setTimetable(null)} />}
      <form class="stack-form" onSubmit={(e) => void submit(e)}>
        <h3>New room</h3>
        <label>
          Name
          <input
            data-testid="room-name"
            required
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
            placeholder="Lecture Hall A"
          />
        </label>
        <label>
          Building
          <input
            data-testid="room-building"
            required
            value={building}
            onInput={(e) => setBuilding(e.currentTarget.value)}
            placeholder="Main Building"
          />
        </label>
        <label>
          Room id <small>(optional)</small>
          <input
            data-testid="room-id"
            value={id}
            pattern="[a-z0-9][a-z0-9_\-]{0,63}"
            title="Lower-case letters, digits, - and _ (starting with a letter or digit)"
            onInput={(e) => setId(e.currentTarget.value)}
            placeholder="generated from the name"
          />
        </label>
        <ErrorNote message={formError} />
        <button type="submit" class="btn btn-primary" data-testid="room-create-submit" disabled={busy}>
          Create room
        </button>
      </form>
    </Panel>
  );
}

const ROLES: Role[] = ['speaker', 'installer', 'admin'];

function UsersSection({ rooms }: { rooms: Room[] }) {
  const users = useAsync(() => api.get<User[]>('/api/users'), []);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('speaker');
  const [roomIds, setRoomIds] = useState<string[]>([]);
  const { busy, error: formError, run } = useAction();
  const roomName = (id: string) => rooms.find((r) => r.id === id)?.name ?? id;

  const submit = async (e: Event) => {
    e.preventDefault();
    const created = await run(() =>
      api.post<User>('/api/users', {
        username: username.trim(),
        password,
        role,
        roomIds: role === 'speaker' ? roomIds : [],
      }),
    );
    if (!created) return;
    setUsername('');
    setPassword('');
    setRoomIds([]);
    users.reload();
  };

  const toggleRoom = (id: string, on: boolean) =>
    setRoomIds((prev) => (on ? [...prev, id] : prev.filter((r) => r !== id)));

  return (
    <Panel title="Users">
      <ErrorNote message={users.error} />
      {users.data && (
        <ul class="list" data-testid="admin-users">
          {users.data.map((u) => (
            <li key={u.id} data-testid={`user-row-${u.username}`}>
              <div>
                <strong>{u.username}</strong> <span class={`tag tag-${u.role}`}>{u.role}</span>
              </div>
              <span class="muted">
                {u.role === 'speaker'
                  ? u.roomIds.length
                    ? u.roomIds.map(roomName).join(', ')
                    : 'no rooms'
                  : u.role === 'admin'
                    ? 'all rooms'
                    : 'devices'}
              </span>
            </li>
          ))}
        </ul>
      )}
      <form class="stack-form" onSubmit={(e) => void submit(e)}>
        <h3>New user</h3>
        <label>
          Username
          <input
            data-testid="user-username"
            required
            autoCapitalize="none"
            autoComplete="off"
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
        </label>
        <label>
          Password
          <input
            data-testid="user-password"
            type="password"
            required
            minLength={8}
            autoComplete="new-password"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        <label>
          Role
          <select data-testid="user-role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        {role === 'speaker' && (
          <fieldset class="checks">
            <legend>Rooms</legend>
            {rooms.length === 0 && <span class="muted">Create a room first.</span>}
            {rooms.map((r) => (
              <label key={r.id} class="check">
                <input
                  type="checkbox"
                  checked={roomIds.includes(r.id)}
                  onChange={(e) => toggleRoom(r.id, e.currentTarget.checked)}
                />
                {r.name}
              </label>
            ))}
          </fieldset>
        )}
        <ErrorNote message={formError} />
        <button type="submit" class="btn btn-primary" data-testid="user-create-submit" disabled={busy}>
          Create user
        </button>
      </form>
    </Panel>
  );
}
