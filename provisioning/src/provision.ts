import { writeFile } from 'node:fs/promises';

export interface ProvisionOptions {
  /** Base URL of the Lectern cloud, e.g. https://lectern.example.edu */
  cloudUrl: string;
  username: string;
  password: string;
  deviceId: string;
  roomId: string;
  /** Creates the room first when it does not exist yet. */
  roomName?: string;
  buildingName?: string;
  /** Where to write the device's ready-to-use config file. */
  out?: string;
}

export interface ProvisionResult {
  deviceId: string;
  roomId: string;
  mqttUrl: string;
  username: string;
  configYaml: string;
  written?: string;
}

class CloudError extends Error {}

async function call<T>(cloudUrl: string, method: string, path: string, body: unknown, token?: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(new URL(path, cloudUrl), {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new CloudError(`cannot reach the cloud at ${cloudUrl}: ${(err as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string | string[] }).message?.toString() ?? text;
    } catch {
      // not JSON: keep the raw text
    }
    throw new CloudError(`${method} ${path} failed (${res.status}): ${message}`);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

/**
 * Registers a device with the cloud through the same API the dashboard's installer page uses and writes the
 * device config file (MQTT URL, per-device credentials, room) the agent starts with.
 */
export async function provisionDevice(opts: ProvisionOptions): Promise<ProvisionResult> {
  const { token } = await call<{ token: string }>(opts.cloudUrl, 'POST', '/api/auth/login', {
    username: opts.username,
    password: opts.password,
  });
  if (opts.roomName) {
    const rooms = await call<{ id: string }[]>(opts.cloudUrl, 'GET', '/api/rooms', undefined, token);
    if (!rooms.some((r) => r.id === opts.roomId)) {
      await call(
        opts.cloudUrl,
        'POST',
        '/api/rooms',
        { id: opts.roomId, name: opts.roomName, buildingName: opts.buildingName ?? 'Main' },
        token,
      );
    }
  }
  const created = await call<{
    credentials: { username: string; password: string };
    mqttUrl: string;
    configYaml: string;
  }>(opts.cloudUrl, 'POST', '/api/devices', { id: opts.deviceId, roomId: opts.roomId }, token);
  const result: ProvisionResult = {
    deviceId: opts.deviceId,
    roomId: opts.roomId,
    mqttUrl: created.mqttUrl,
    username: created.credentials.username,
    configYaml: created.configYaml,
  };
  if (opts.out) {
    // The file holds the device's MQTT password: readable by its owner only.
    await writeFile(opts.out, created.configYaml, { mode: 0o600 });
    result.written = opts.out;
  }
  return result;
}
