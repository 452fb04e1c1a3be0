import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { Device, DeviceCreated, Room } from '../api/types';
import { DevicesTable } from '../components/DevicesTable';
import { Empty, ErrorNote, PageHeader, Panel } from '../components/ui';
import { useAction, useAsync, useNow } from '../hooks';

export function InstallerPage() {
  const rooms = useAsync(() => api.get<Room[]>('/api/rooms'), []);
  const devices = useAsync(() => api.get<Device[]>('/api/devices'), [], 5000);
  const now = useNow(1000);
  const [created, setCreated] = useState<DeviceCreated | null>(null);

  return (
    <div class="installer">
      <PageHeader
        title="Install a device"
        subtitle="Register the room appliance, then load its configuration onto it"
      />
      <div class="installer-grid">
        <CreateDeviceForm
          rooms={rooms.data ?? []}
          roomsError={rooms.error}
          onCreated={(res) => {
            setCreated(res);
            devices.reload();
          }}
        />
        {created ? <Credentials created={created} /> : <InstallSteps />}
      </div>
      <Panel title="Registered devices">
        <ErrorNote message={devices.error} />
        {devices.data && devices.data.length === 0 && <Empty>No devices registered yet.</Empty>}
        {devices.data && devices.data.length > 0 && (
          <DevicesTable devices={devices.data} rooms={rooms.data ?? []} now={now} />
        )}
      </Panel>
    </div>
  );
}

function CreateDeviceForm({
  rooms,
  roomsError,
  onCreated,
}: {
  rooms: Room[];
  roomsError: string | null;
  onCreated: (res: DeviceCreated) => void;
}) {
  const [id, setId] = useState('');
  const [roomId, setRoomId] = useState('');
  const { busy, error, run } = useAction();
  const selected = roomId || rooms[0]?.id || '';

  const submit = async (e: Event) => {
    e.preventDefault();
    const res = await run(() => api.post<DeviceCreated>('/api/devices', { id: id.trim(), roomId: selected }));
    if (!res) return;
    setId('');
    onCreated(res);
  };

  return (
    <Panel title="New device">
      <form class="stack-form" onSubmit={(e) => void submit(e)}>
        <label>
          Device id
          <input
            data-testid="device-id"
            required
            pattern="[a-z0-9][a-z0-9_\-]{0,63}"
            title="Lower-case letters, digits, - and _ (starting with a letter or digit)"
            autoCapitalize="none"
            placeholder="hall-a-cam-1"
            value={id}
            onInput={(e) => setId(e.currentTarget.value)}
          />
        </label>
        <label>
          Room
          <select
            data-testid="device-room"
            required
            value={selected}
            onChange={(e) => setRoomId(e.currentTarget.value)}
          >
            {rooms.length === 0 && <option value="">No rooms available</option>}
            {rooms.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name} · {r.buildingName}
              </option>
            ))}
          </select>
        </label>
        <ErrorNote message={roomsError} />
        <ErrorNote message={error} />
        <button
          type="submit"
          class="btn btn-primary btn-block"
          data-testid="device-create-submit"
          disabled={busy || !selected}
        >
          {busy ? 'Registering…' : 'Register device'}
        </button>
      </form>
    </Panel>
  );
}

function InstallSteps() {
  return (
    <Panel title="How it works" class="steps">
      <ol>
        <li>Register the device for its room here.</li>
        <li>Copy the credentials: the password is shown only once.</li>
        <li>
          Put <span class="mono">device.yaml</span> on the appliance, or scan the QR code with the appliance's setup
          camera.
        </li>
        <li>The device shows as online in the list below within a few seconds of starting.</li>
      </ol>
    </Panel>
  );
}

function Credentials({ created }: { created: DeviceCreated }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async (text: string, what: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(what);
    } catch {
      setCopied('Copy blocked by the browser: select the text and copy it manually.');
    }
  };
  const downloadYaml = () => {
    const url = URL.createObjectURL(new Blob([created.configYaml], { type: 'application/yaml' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'device.yaml';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  return (
    <Panel title={`Device ${created.device.id} registered`} class="credentials">
      <div class="note note-warn" role="note">
        Save these credentials now. The password is stored hashed and cannot be shown again.
      </div>
      <div class="cred-layout">
        <dl class="cred" data-testid="device-credentials">
          <dt>MQTT URL</dt>
          <dd class="mono">{created.mqttUrl}</dd>
          <dt>Username</dt>
          <dd class="mono" data-testid="device-username">
            {created.credentials.username}
          </dd>
          <dt>Password</dt>
          <dd class="mono secret" data-testid="device-password">
            {created.credentials.password}
          </dd>
        </dl>
        <figure class="qr">
          <img
            data-testid="device-qr"
            src={created.qrPng}
            alt={`QR code with the configuration of device ${created.device.id}`}
            width={220}
            height={220}
          />
          <figcaption>Scan on the appliance</figcaption>
        </figure>
      </div>
      <div class="yaml-head">
        <h3>device.yaml</h3>
        <div class="btn-row">
          <button
            type="button"
            class="btn btn-small"
            data-testid="device-yaml-copy"
            onClick={() => void copy(created.configYaml, 'Configuration copied.')}
          >
            Copy
          </button>
          <button type="button" class="btn btn-small" data-testid="device-yaml-download" onClick={downloadYaml}>
            Download
          </button>
        </div>
      </div>
      <pre class="code" data-testid="device-config-yaml">
        {created.configYaml}
      </pre>
      {copied && (
        <p class="muted" role="status">
          {copied}
        </p>
      )}
    </Panel>
  );
}
