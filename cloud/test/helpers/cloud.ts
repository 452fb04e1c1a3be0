import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { startCloud, type CloudHandle } from '../../src';
import { dropPgSchema } from '../../src/db/data-source';

export const ADMIN_PASSWORD = 'test-admin-password';
export const PG_URL = process.env.LECTERN_TEST_PG_URL;
export const MQTT_URL = process.env.LECTERN_TEST_MQTT_URL;

export interface TestCloud extends CloudHandle {
  dataDir: string;
  login(username?: string, password?: string): Promise<string>;
  api<T = unknown>(
    path: string,
    init?: { method?: string; body?: unknown; token?: string },
  ): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

/**
 * A cloud on random ports with its own data dir. `db: 'postgres'` uses a fresh schema of
 * LECTERN_TEST_PG_URL (dropped on stop); `mqttUrl` makes it a client of that external broker.
 */
export async function startTestCloud(
  opts: { db?: 'sqlite' | 'postgres'; mqttUrl?: string; env?: Record<string, string>; dataDir?: string } = {},
): Promise<TestCloud> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'lectern-cloud-test-'));
  const env: Record<string, string> = {
    LECTERN_HTTP_PORT: '0',
    LECTERN_MQTT_PORT: 'auto',
    LECTERN_MQTT_HOST: '127.0.0.1',
    LECTERN_DATA_DIR: dataDir,
    LECTERN_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LECTERN_LOG_LEVEL: 'error',
    LECTERN_WEB_DIR: join(dataDir, 'no-web'),
    ...opts.env,
  };
  let schema: string | null = null;
  if (opts.db === 'postgres') {
    if (!PG_URL) throw new Error('LECTERN_TEST_PG_URL is not set');
    schema = `t_${randomBytes(6).toString('hex')}`;
    const u = new URL(PG_URL);
    u.searchParams.set('schema', schema);
    env.LECTERN_DB_URL = u.toString();
  }
  if (opts.mqttUrl) {
    env.LECTERN_MQTT_URL = opts.mqttUrl;
    // The ingest session is persistent and keyed by client id: test clouds sharing one broker must not
    // take over each other's session.
    env.LECTERN_MQTT_CLIENT_ID ??= `lectern-test-${randomBytes(6).toString('hex')}`;
  }
  const cloud = await startCloud(env);
  const api: TestCloud['api'] = async (path, init = {}) => {
    const headers: Record<string, string> = {};
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${cloud.httpUrl}${path}`, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON (CSV, HTML): keep the text
    }
    return { status: res.status, body: body as never };
  };
  return {
    ...cloud,
    dataDir,
    api,
    async login(username = 'admin', password = ADMIN_PASSWORD) {
      const r = await api<{ token: string }>('/api/auth/login', { method: 'POST', body: { username, password } });
      if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.token;
    },
    async stop() {
      await cloud.close();
      // Unless the test reuses it on purpose, drop the persistent session so the shared broker stops queueing for it.
      if (opts.mqttUrl && !opts.env?.LECTERN_MQTT_CLIENT_ID) await dropMqttSession(opts.mqttUrl, env);
      if (schema && PG_URL) await dropPgSchema(PG_URL, schema);
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function waitFor<T>(
  fn: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A clean-session connect with the same client id discards the broker's stored session (best effort). */
export async function dropMqttSession(url: string, env: Record<string, string>): Promise<void> {
  try {
    const c = await connectAsync(url, {
      clientId: env.LECTERN_MQTT_CLIENT_ID,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 3000,
      ...(env.LECTERN_MQTT_USERNAME
        ? { username: env.LECTERN_MQTT_USERNAME, password: env.LECTERN_MQTT_PASSWORD }
        : {}),
    });
    await c.endAsync();
  } catch {
    // broker already gone: nothing left to clean
  }
}
