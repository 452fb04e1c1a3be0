import { useState } from 'preact/hooks';
import { api } from '../api/client';
import { lifecycle, type IssuedCredentials, type NamedDevice, type PublicEndpoints } from '../api/lifecycle';
import type { Device, Room } from '../api/types';
import { DevicesTable } from '../components/DevicesTable';
import { roomOptions, SLUG_INPUT } from '../components/form/options';
import { SelectField } from '../components/form/SelectField';
import { TextField } from '../components/form/TextField';
import { Empty, ErrorNote, PageHeader, Panel } from '../components/ui';
import { useAction, useAsync, useNow } from '../hooks';
import { useRoute } from '../router';
import '../components/lifecycle.css';

export function InstallerPage() {
  const rooms = useAsync(() => api.get<Room[]>('/api/rooms'), []);
  const devices = useAsync(() => api.get<Device[]>('/api/devices'), [], 5000);
  const endpoints = useAsync(() => lifecycle.endpoints(), []);
  const now = useNow(1000);
  const [created, setCreated] = useState<IssuedCredentials | null>(null);
  // A scanned QR code opens #/installer?device=<id>: that device's page.
  const focus = useRoute().query.get('device');
  const focused = focus ? devices.data?.find((d) => d.id === focus) : undefined;

  return (
    <div class="installer">
      <PageHeader
        title="Install a device"
        subtitle="Register the room appliance, then load its configuration onto it"
      />
      <Endpoints endpoints={endpoints.data} />
      {focus && (
        <FocusedDevice
          id={focus}
          device={focused}
          loading={devices.loading && !devices.data}
          rooms={rooms.data ?? []}
          onIssued={(res) => {
            setCreated(res);
            devices.reload();
          }}
        />
      )}
      <div class="installer-grid">
        <CreateDeviceForm
          rooms={rooms.data ?? []}
          blocked={endpoints.data?.problem ?? null}
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

/** The addresses this cloud writes into device configs, or why it cannot hand one out. */
function Endpoints({ endpoints }: { endpoints: PublicEndpoints | undefined }) {
  if (!endpoints) return null;
  if (endpoints.problem)
    return (
      <div class="note note-warn" role="alert" data-testid="endpoints-problem">
        {endpoints.problem}
      </div>
    );
  return (
    <p class="muted lc-endpoints" data-testid="endpoints">
      Devices connect to <span class="mono">{endpoints.mqttUrls.join(', ')}</span>
      {endpoints.localMode && ' (local mode: reachable from this machine only)'}.
    </p>
  );
}

/** The device a scanned QR code points at: where it stands, and new credentials if it needs them. */
function FocusedDevice({
  id,
  device,
  loading,
  rooms,
  onIssued,
}: {
  id: string;
  device: NamedDevice | undefined;
  loading: boolean;
  rooms: Room[];
  onIssued: (res: IssuedCredentials) => void;
}) {
  const { busy, error, run } = useAction();
  const rekey = async () => {
    if (!confirm(`Issue new credentials for ${id}? Its current password stops working at once.`)) return;
    const res = await run(() => lifecycle.rotateDevice(id));
    if (res) onIssued(res);
  };
  if (loading) return null;
  return (
    <Panel title={`Device ${id}`} testId="focused-device">
      {!device ? (
        <Empty>No device {id} is registered (deleted, or never registered): register it below.</Empty>
      ) : (
        <>
          <p>
            {device.name ? <strong>{device.name} · </strong> : null}
            Room {rooms.find((r) => r.id === device.roomId)?.name ?? device.roomId} · {device.status}
          </p>
          <p class="muted">
            The device's password is shown only once, when it is issued. If the appliance lost its configuration, issue
            new credentials and load the new device.yaml onto it.
          </p>
          <ErrorNote message={error} />
          <button type="button" class="btn" data-testid="focused-rekey" disabled={busy} onClick={() => void rekey()}>
            {busy ? 'Issuing…' : 'Issue new credentials'}
          </button>
        </>
      )}
    </Panel>
  );
}

function CreateDeviceForm({
  rooms,
  blocked,
  roomsError,
  onCreated,
}: {
  rooms: Room[];
  blocked: string | null;
  roomsError: string | null;
  onCreated: (res: IssuedCredentials) => void;
}) {
  const [id, setId] = useState('');
  const [roomId, setRoomId] = useState('');
  const { busy, error, run } = useAction();
  const selected = roomId || rooms[0]?.id || '';

  const submit = async (e: Event) => {
    e.preventDefault();
    const res = await run(() => lifecycle.createDevice(id.trim(), selected));
    if (!res) return;
    setId('');
    onCreated(res);
  };

  return (
    <Panel title="New device">
      <form class="stack-form" onSubmit={(e) => void submit(e)}>
        <TextField
          label="Device id"
          testId="device-id"
          required
          {...SLUG_INPUT}
          autoCapitalize="none"
          placeholder="hall-a-cam-1"
          value={id}
          onValue={setId}
        />
        <SelectField
          label="Room"
          testId="device-room"
          required
          value={selected}
          onValue={setRoomId}
          options={roomOptions(rooms)}
          empty="No rooms available"
        />
        <ErrorNote message={roomsError} />
        <ErrorNote message={error} />
        <button
          type="submit"
          class="btn btn-primary btn-block"
          data-testid="device-create-submit"
          disabled={busy || !selected || blocked !== null}
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
          Put <span class="mono">device.yaml</span> on the appliance. The QR code opens this device's page on the
          dashboard (it holds no password), to find it again later.
        </li>
        <li>The device shows as online in the list below within a few seconds of starting.</li>
      </ol>
    </Panel>
  );
}

function Credentials({ created }: { created: IssuedCredentials }) {
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
          {created.mqttUrls.length > 1 && (
            <>
              <dt>Also reachable at</dt>
              <dd class="mono">{created.mqttUrls.slice(1).join(', ')}</dd>
            </>
          )}
          <dt>Username</dt>
          <dd class="mono" data-testid="device-username">
            {created.credentials.username}
          </dd>
          <dt>Password</dt>
          <dd class="mono secret" data-testid="device-password">
            {created.credentials.password}
          </dd>
        </dl>
        {created.qrPng && created.installUrl && (
          <figure class="qr">
            <img
              data-testid="device-qr"
              src={created.qrPng}
              alt={`QR code of ${created.installUrl}, this device's page on the dashboard`}
              width={220}
              height={220}
            />
            <figcaption>Opens this device's page (no password in it)</figcaption>
          </figure>
        )}
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
