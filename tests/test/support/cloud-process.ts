// The cloud as a real child process (`node cloud/dist/cli/serve.js`, configured only by LECTERN_* variables),
// so a test can kill it with SIGKILL and start it again on the same ports and data; plus the helpers such a
// test needs around it (free ports, a throw-away PostgreSQL database, an admin API client).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { connectAsync } from 'mqtt';
import { Client } from 'pg';
import { ApiClient } from './api';

/** The built cloud entry point (turbo's `^build` builds it before the tests package runs). */
export const CLOUD_SERVE_JS = resolve(__dirname, '..', '..', '..', 'cloud', 'dist', 'cli', 'serve.js');

/** A TCP port that was free a moment ago (kept for the whole test, so restarts reuse it). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r, j) => {
    s.once('error', j);
    s.listen(0, '127.0.0.1', () => r());
  });
  const addr = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  if (typeof addr !== 'object' || !addr) throw new Error('no free port');
  return addr.port;
}

/** Every cloud child still alive: killed when the test process exits, however it exits. */
const alive = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of alive) c.kill('SIGKILL');
});

export interface CloudProcessOptions {
  /** LECTERN_* variables (ports, data dir, database, broker); nothing else of the test's environment leaks in. */
  env: Record<string, string>;
  /** How long one start may take until GET /api/health answers 200. */
  startTimeoutMs?: number;
}

/** One cloud, started and killed as often as a test likes; every start uses the same environment. */
export class CloudProcess {
  private child: ChildProcess | null = null;
  private output = '';
  readonly httpUrl: string;
  /** Starts done so far, and the milliseconds each took from spawn to a healthy /api/health. */
  readonly startMs: number[] = [];

  constructor(private readonly opts: CloudProcessOptions) {
    const port = opts.env.LECTERN_HTTP_PORT;
    if (!port || port === '0') throw new Error('CloudProcess needs a fixed LECTERN_HTTP_PORT');
    this.httpUrl = `http://127.0.0.1:${port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last few KB of the cloud's stdout and stderr, all starts together (for failure messages). */
  get log(): string {
    return this.output.slice(-8000);
  }

  /** Spawns the cloud and resolves once /api/health says ok (database and MQTT); fails if it exits first. */
  async start(): Promise<void> {
    if (this.running) throw new Error('cloud already running');
    if (!existsSync(CLOUD_SERVE_JS))
      throw new Error(`${CLOUD_SERVE_JS} is missing: build it with \`npx turbo run build --filter=@lectern/cloud\``);
    const began = Date.now();
    const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'NODE_OPTIONS'];
    const base = Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]));
    const child = spawn(process.execPath, [CLOUD_SERVE_JS], {
      env: { ...base, ...this.opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    alive.add(child);
    child.once('exit', () => alive.delete(child));
    const append = (b: Buffer): void => {
      this.output = (this.output + b.toString()).slice(-64_000);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    const deadline = began + (this.opts.startTimeoutMs ?? 60_000);
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`cloud exited during start (${child.exitCode ?? child.signalCode}):\n${this.log}`);
      try {
        const res = await fetch(`${this.httpUrl}/api/health`, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        if (res.status === 200) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await this.kill9();
        throw new Error(`cloud not healthy after ${this.opts.startTimeoutMs ?? 60_000} ms:\n${this.log}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    this.startMs.push(Date.now() - began);
  }

  /** kill -9: no shutdown hook, no flush, no DISCONNECT. Resolves once the process is gone. */
  async kill9(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGKILL');
    await gone;
  }

  /** A graceful stop (SIGTERM: the cloud flushes and exits), SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 15_000): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await gone;
    clearTimeout(timer);
  }

  /** An API client logged in as the admin (LECTERN_ADMIN_PASSWORD). */
  async admin(): Promise<ApiClient> {
    const api = new ApiClient(this.httpUrl);
    const password = this.opts.env.LECTERN_ADMIN_PASSWORD;
    if (!password) throw new Error('CloudProcess.admin needs LECTERN_ADMIN_PASSWORD');
    await api.login('admin', password);
    return api;
  }
}

/** Registers a device through the installer API as admin; returns its MQTT credentials. */
export async function createDevice(
  admin: ApiClient,
  input: { id: string; roomId: string; roomName: string },
): Promise<{ username: string; password: string }> {
  const r = await admin.request<{ credentials: { username: string; password: string } }>('POST', '/api/devices', input);
  return r.credentials;
}

/**
 * A throw-away database on the shared PostgreSQL server (never the server's own databases), dropped with
 * `drop()`; the server itself is never stopped.
 */
export async function createPgDatabase(
  adminUrl: string,
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `lectern_kill_${randomBytes(5).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  u.search = '';
  return {
    url: u.toString(),
    name,
    async drop() {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * Discards an external broker's persistent session (a clean-session connect with its client id), so a shared
 * broker stops queueing for a cloud that is gone; best effort.
 */
export async function dropMqttSession(url: string, clientId: string): Promise<void> {
  try {
    const c = await connectAsync(url, { clientId, clean: true, reconnectPeriod: 0, connectTimeout: 3000 });
    await c.endAsync();
  } catch {
    // broker unreachable: nothing to clean
  }
}
