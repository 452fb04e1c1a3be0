import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { Device, Role, Room, User } from '../api/types';
import { DeviceConfigForm } from '../components/DeviceConfigForm';
import { DevicesTable } from '../components/DevicesTable';
import { PasswordField } from '../components/form/PasswordField';
import { roleOptions, SLUG_INPUT } from '../components/form/options';
import { RoomChecks } from '../components/form/RoomChecks';
import { SelectField } from '../components/form/SelectField';
import { TextField } from '../components/form/TextField';
import { DeviceEditor, RoomEditor, UserEditor } from '../components/LifecycleEditors';
import { RoomTimetableForm } from '../components/RoomTimetableForm';
import { Empty, ErrorNote, Loading, PageHeader, Panel } from '../components/ui';
import { useAction, useAsync, useNow } from '../hooks';

export function AdminPage() {
  const rooms = useAsync(() => api.get<Room[]>('/api/rooms'), []);
  return (
    <div class="admin">
      <PageHeader title="Administration" subtitle="Devices, rooms and people" />
      <DevicesSection rooms={rooms.data ?? []} reloadRooms={rooms.reload} />
      <div class="two-col">
        <RoomsSection rooms={rooms.data} error={rooms.error} reload={rooms.reload} />
        <UsersSection rooms={rooms.data ?? []} />
      </div>
    </div>
  );
}

function DevicesSection({ rooms, reloadRooms }: { rooms: Room[]; reloadRooms: () => void }) {
  const devices = useAsync(() => api.get<Device[]>('/api/devices'), [], 5000);
  const now = useNow(1000);
  const [configuring, setConfiguring] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const edited = editing ? devices.data?.find((d) => d.id === editing) : undefined;
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
            <span class="row-actions">
              <button
                type="button"
                class="btn btn-small"
                data-testid={`device-config-${d.id}`}
                onClick={() => setConfiguring(configuring === d.id ? null : d.id)}
              >
                Config
              </button>
              <button
                type="button"
                class="btn btn-small"
                data-testid={`device-manage-${d.id}`}
                onClick={() => setEditing(editing === d.id ? null : d.id)}
              >
                Manage
              </button>
            </span>
          )}
        />
      )}
      {edited && (
        <DeviceEditor
          key={edited.id}
          device={edited}
          rooms={rooms}
          onChanged={() => {
            devices.reload();
            reloadRooms();
          }}
          onClose={() => setEditing(null)}
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
  const [editing, setEditing] = useState<string | null>(null);
  const edited = editing ? rooms?.find((r) => r.id === editing) : undefined;

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
                <button
                  type="button"
                  class="btn btn-small"
                  data-testid={`room-manage-${r.id}`}
                  onClick={() => setEditing(editing === r.id ? null : r.id)}
                >
                  Manage
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
      {timetable && <RoomTimetableForm key={timetable} roomId={timetable} onClose={() => setTimetable(null)} />}
      {edited && (
        <RoomEditor
          key={edited.id}
          room={edited}
          rooms={rooms ?? []}
          onChanged={reload}
          onClose={() => setEditing(null)}
        />
      )}
      <form class="stack-form" onSubmit={(e) => void submit(e)}>
        <h3>New room</h3>
        <TextField
          label="Name"
          testId="room-name"
          required
          value={name}
          onValue={setName}
          placeholder="Lecture Hall A"
        />
        <TextField
          label="Building"
          testId="room-building"
          required
          value={building}
          onValue={setBuilding}
          placeholder="Main Building"
        />
        <TextField
          label={
            <>
              Room id <small>(optional)</small>
            </>
          }
          testId="room-id"
          value={id}
          {...SLUG_INPUT}
          onValue={setId}
          placeholder="generated from the name"
        />
        <ErrorNote message={formError} />
        <button type="submit" class="btn btn-primary" data-testid="room-create-submit" disabled={busy}>
          Create room
        </button>
      </form>
    </Panel>
  );
}

function UsersSection({ rooms }: { rooms: Room[] }) {
  const users = useAsync(() => api.get<User[]>('/api/users'), []);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('speaker');
  const [roomIds, setRoomIds] = useState<string[]>([]);
  const { busy, error: formError, run } = useAction();
  const roomName = (id: string) => rooms.find((r) => r.id === id)?.name ?? id;
  const [editing, setEditing] = useState<string | null>(null);
  const edited = editing ? users.data?.find((u) => u.id === editing) : undefined;

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
              <span class="row-actions">
                <span class="muted">
                  {u.role === 'speaker'
                    ? u.roomIds.length
                      ? u.roomIds.map(roomName).join(', ')
                      : 'no rooms'
                    : u.role === 'admin'
                      ? 'all rooms'
                      : 'devices'}
                </span>
                <button
                  type="button"
                  class="btn btn-small"
                  data-testid={`user-manage-${u.username}`}
                  onClick={() => setEditing(editing === u.id ? null : u.id)}
                >
                  Manage
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
      {edited && (
        <UserEditor
          key={edited.id}
          user={edited}
          rooms={rooms}
          onChanged={users.reload}
          onClose={() => setEditing(null)}
        />
      )}
      <form class="stack-form" onSubmit={(e) => void submit(e)}>
        <h3>New user</h3>
        <TextField
          label="Username"
          testId="user-username"
          required
          autoCapitalize="none"
          autoComplete="off"
          value={username}
          onValue={setUsername}
        />
        <PasswordField label="Password" testId="user-password" value={password} onValue={setPassword} />
        <SelectField label="Role" testId="user-role" value={role} onValue={setRole} options={roleOptions} />
        {role === 'speaker' && (
          <RoomChecks rooms={rooms} selected={roomIds} onToggle={toggleRoom} empty="Create a room first." />
        )}
        <ErrorNote message={formError} />
        <button type="submit" class="btn btn-primary" data-testid="user-create-submit" disabled={busy}>
          Create user
        </button>
      </form>
    </Panel>
  );
}
