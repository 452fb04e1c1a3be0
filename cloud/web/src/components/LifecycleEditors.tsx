import { useState } from 'preact/hooks';
import {
  lifecycle,
  type BrokerAccess,
  type IssuedCredentials,
  type LifecycleUser,
  type NamedDevice,
} from '../api/lifecycle';
import type { Role, Room } from '../api/types';
import { useAction } from '../hooks';
import { ConfirmButton } from './form/ConfirmButton';
import { roleOptions, roomOptions } from './form/options';
import { RoomChecks } from './form/RoomChecks';
import { SelectField } from './form/SelectField';
import { TextField } from './form/TextField';
import { ErrorNote } from './ui';
import './lifecycle.css';

// Admin editors for issue 14 part 5: every change goes through the API, which audits it.

/** useAction for an editor, plus `apply`: runs a change and, once it succeeded, refreshes the list and closes. */
function useEditor(onChanged: () => void, onClose: () => void) {
  const action = useAction();
  const apply = async (change: () => Promise<unknown>): Promise<void> => {
    if (await action.run(change)) {
      onChanged();
      onClose();
    }
  };
  return { ...action, apply };
}

/** Rename or move a device, issue new credentials, or delete it (its broker access ends at once). */
export function DeviceEditor({
  device,
  rooms,
  onChanged,
  onClose,
}: {
  device: NamedDevice;
  rooms: Room[];
  onChanged: () => void;
  onClose: () => void;
}) {
  const [name, setName] = useState(device.name ?? '');
  const [roomId, setRoomId] = useState(device.roomId);
  const [issued, setIssued] = useState<(IssuedCredentials & BrokerAccess) | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const { busy, error, run, apply } = useEditor(onChanged, onClose);

  const save = async (e: Event) => {
    e.preventDefault();
    const patch: { name?: string | null; roomId?: string } = {};
    if (name.trim() !== (device.name ?? '')) patch.name = name.trim() || null;
    if (roomId !== device.roomId) patch.roomId = roomId;
    if (!Object.keys(patch).length) return onClose();
    await apply(() => lifecycle.updateDevice(device.id, patch));
  };
  const rekey = async () => {
    const res = await run(() => lifecycle.rotateDevice(device.id));
    if (res) {
      setIssued(res);
      onChanged();
    }
  };
  const remove = async () => {
    const res = await run(() => lifecycle.deleteDevice(device.id));
    if (!res) return;
    onChanged();
    if (res.note) setNote(res.note);
    else onClose();
  };

  return (
    <form class="lc-edit" data-testid={`device-edit-${device.id}`} onSubmit={(e) => void save(e)}>
      <h3>Device {device.id}</h3>
      <TextField
        label="Name"
        testId="device-edit-name"
        value={name}
        onValue={setName}
        maxLength={200}
        placeholder="front camera"
      />
      <SelectField
        label="Room"
        testId="device-edit-room"
        value={roomId}
        onValue={setRoomId}
        options={roomOptions(rooms)}
      />
      <button type="submit" class="btn btn-primary btn-small" data-testid="device-edit-save" disabled={busy}>
        Save
      </button>
      <ConfirmButton
        testId="device-rekey"
        question={`Issue new credentials for ${device.id}? Its current password stops working at once.`}
        disabled={busy}
        onConfirmed={rekey}
      >
        New credentials
      </ConfirmButton>
      <ConfirmButton
        class="btn btn-danger btn-small"
        testId="device-delete"
        question={`Delete device ${device.id}? It is disconnected at once; what it recorded stays.`}
        disabled={busy}
        onConfirmed={remove}
      >
        Delete
      </ConfirmButton>
      <CloseButton onClose={onClose} />
      <div class="lc-wide">
        <ErrorNote message={error} />
        {note && (
          <div class="note note-warn" role="note">
            {note}
          </div>
        )}
        {issued && (
          <div class="note note-warn" role="note" data-testid="device-rekeyed">
            New password for <span class="mono">{issued.credentials.username}</span> (shown only now):{' '}
            <span class="lc-secret" data-testid="device-rekeyed-password">
              {issued.credentials.password}
            </span>
            {issued.note && <p>{issued.note}</p>}
            <pre class="code">{issued.configYaml}</pre>
          </div>
        )}
      </div>
    </form>
  );
}

/** Rename a room or move it to another building; delete it, moving its devices first if it has any. */
export function RoomEditor({
  room,
  rooms,
  onChanged,
  onClose,
}: {
  room: Room;
  rooms: Room[];
  onChanged: () => void;
  onClose: () => void;
}) {
  const [name, setName] = useState(room.name);
  const [building, setBuilding] = useState(room.buildingName);
  const others = rooms.filter((r) => r.id !== room.id);
  const [moveTo, setMoveTo] = useState(others[0]?.id ?? '');
  const { busy, error, apply } = useEditor(onChanged, onClose);

  const save = async (e: Event) => {
    e.preventDefault();
    const patch: { name?: string; buildingName?: string } = {};
    if (name.trim() && name.trim() !== room.name) patch.name = name.trim();
    if (building.trim() && building.trim() !== room.buildingName) patch.buildingName = building.trim();
    if (!Object.keys(patch).length) return onClose();
    await apply(() => lifecycle.updateRoom(room.id, patch));
  };
  const n = room.deviceIds.length;
  const removeQuestion = n
    ? `Delete room ${room.name}? Its ${n} device${n === 1 ? '' : 's'} move${n === 1 ? 's' : ''} to ${others.find((r) => r.id === moveTo)?.name ?? moveTo}.`
    : `Delete room ${room.name}? Its recorded sessions stay.`;
  const remove = () => apply(() => lifecycle.deleteRoom(room.id, n ? moveTo : undefined));

  return (
    <form class="lc-edit" data-testid={`room-edit-${room.id}`} onSubmit={(e) => void save(e)}>
      <h3>Room {room.id}</h3>
      <TextField label="Name" testId="room-edit-name" required value={name} onValue={setName} />
      <TextField label="Building" testId="room-edit-building" required value={building} onValue={setBuilding} />
      <button type="submit" class="btn btn-primary btn-small" data-testid="room-edit-save" disabled={busy}>
        Save
      </button>
      {n > 0 && (
        <SelectField
          label="Move its devices to"
          testId="room-delete-move"
          value={moveTo}
          onValue={setMoveTo}
          options={others.map((r) => ({ value: r.id, label: r.name }))}
        />
      )}
      <ConfirmButton
        class="btn btn-danger btn-small"
        testId="room-delete"
        question={removeQuestion}
        disabled={busy || (n > 0 && !moveTo)}
        onConfirmed={remove}
      >
        Delete room
      </ConfirmButton>
      <CloseButton onClose={onClose} />
      <div class="lc-wide">
        <ErrorNote message={error} />
      </div>
    </form>
  );
}

/** Rename a user, change role or rooms, reset their password (one-time, changed at next login), delete them. */
export function UserEditor({
  user,
  rooms,
  onChanged,
  onClose,
}: {
  user: LifecycleUser;
  rooms: Room[];
  onChanged: () => void;
  onClose: () => void;
}) {
  const [username, setUsername] = useState(user.username);
  const [role, setRole] = useState<Role>(user.role);
  const [roomIds, setRoomIds] = useState<string[]>(user.roomIds);
  const [oneTime, setOneTime] = useState<string | null>(null);
  const { busy, error, run, apply } = useEditor(onChanged, onClose);

  const save = async (e: Event) => {
    e.preventDefault();
    const patch: { username?: string; role?: Role; roomIds?: string[] } = {};
    if (username.trim() !== user.username) patch.username = username.trim();
    if (role !== user.role) patch.role = role;
    const rooms2 = role === 'speaker' ? roomIds : [];
    if (JSON.stringify(rooms2) !== JSON.stringify(user.roomIds)) patch.roomIds = rooms2;
    if (!Object.keys(patch).length) return onClose();
    await apply(() => lifecycle.updateUser(user.id, patch));
  };
  const reset = async () => {
    const res = await run(() => lifecycle.resetPassword(user.id));
    if (res) {
      setOneTime(res.password);
      onChanged();
    }
  };
  const remove = () => apply(() => lifecycle.deleteUser(user.id));

  return (
    <form class="lc-edit" data-testid={`user-edit-${user.username}`} onSubmit={(e) => void save(e)}>
      <h3>User {user.username}</h3>
      <TextField
        label="Username"
        testId="user-edit-username"
        required
        pattern="[A-Za-z0-9._\-]{1,64}"
        value={username}
        onValue={setUsername}
      />
      <SelectField label="Role" testId="user-edit-role" value={role} onValue={setRole} options={roleOptions} />
      {role === 'speaker' && (
        <RoomChecks
          class="checks lc-wide"
          rooms={rooms}
          selected={roomIds}
          onToggle={(id, on) => setRoomIds((prev) => (on ? [...prev, id] : prev.filter((r) => r !== id)))}
        />
      )}
      <button type="submit" class="btn btn-primary btn-small" data-testid="user-edit-save" disabled={busy}>
        Save
      </button>
      <ConfirmButton
        testId="user-reset"
        question={`Reset the password of ${user.username}? Their sessions end; they choose a new one at next login.`}
        disabled={busy}
        onConfirmed={reset}
      >
        Reset password
      </ConfirmButton>
      <ConfirmButton
        class="btn btn-danger btn-small"
        testId="user-delete"
        question={`Delete user ${user.username}? They are logged out at once.`}
        disabled={busy}
        onConfirmed={remove}
      >
        Delete
      </ConfirmButton>
      <CloseButton onClose={onClose} />
      <div class="lc-wide">
        <ErrorNote message={error} />
        {oneTime && (
          <div class="note note-warn" role="note" data-testid="user-one-time">
            One-time password for {user.username} (shown only now; they choose their own at next login):{' '}
            <span class="lc-secret" data-testid="user-one-time-password">
              {oneTime}
            </span>
          </div>
        )}
      </div>
    </form>
  );
}

/** Closes an editor without saving. */
function CloseButton({ onClose }: { onClose: () => void }) {
  return (
    <button type="button" class="btn btn-ghost btn-small" onClick={onClose}>
      Close
    </button>
  );
}
