// `npm run bench -w cloud`: sustained ingestion on SQLite and PostgreSQL, device -> browser latency with
// many rooms, and raw aedes fan-in as the reference, all in one run. The last line is one JSON object.
// Simulated devices and SSE clients run in child processes; the cloud (with its embedded broker) runs here.
// Knobs: LECTERN_BENCH_DEVICES (100), _PER_DEVICE (300), _FACES (12), _WINDOW (100 unacked QoS 1 publishes
// per device), _ROOMS (500), _HZ (1), _LATENCY_S (30), _PHASES (aedes,sqlite,postgres,latency), _PG_URL
// (else LECTERN_TEST_PG_URL, else postgres://postgres@127.0.0.1:5432/test; unreachable = null), _TRACE=file.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { createBroker } from 'aedes';
import { connectAsync } from 'mqtt';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import {
  AggregateEntity,
  AggregationService,
  IngestService,
  SnapshotEntity,
  dropPgSchema,
  provisionDevice,
  startCloud,
  type CloudHandle,
} from '@lectern/cloud';
import { BenchChild } from './child';
import type { BenchDevice, ListenerJob, ListenerReport, PublisherJob, PublisherReport } from './messages';
import { progressBar } from './progress';

const int = (name: string, fallback: number): number => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${v}"`);
  return n;
};

const P = {
  devices: int('LECTERN_BENCH_DEVICES', 100),
  perDevice: int('LECTERN_BENCH_PER_DEVICE', 300),
  faces: int('LECTERN_BENCH_FACES', 12),
  window: int('LECTERN_BENCH_WINDOW', 100),
  rooms: int('LECTERN_BENCH_ROOMS', 500),
  hz: int('LECTERN_BENCH_HZ', 1),
  latencyS: int('LECTERN_BENCH_LATENCY_S', 30),
};
const PG_URL =
  process.env.LECTERN_BENCH_PG_URL ?? process.env.LECTERN_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ADMIN_PASSWORD = 'bench-admin-password';
const total = P.devices * P.perDevice;
/** Which parts run (default all); the JSON line reports null for skipped ones. */
const PHASES = new Set((process.env.LECTERN_BENCH_PHASES ?? 'aedes,sqlite,postgres,latency').split(','));

const round = (v: number, digits = 0): number => Math.round(v * 10 ** digits) / 10 ** digits;
const log = (line: string): void => void process.stdout.write(`${line}\n`);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** Wall-clock rate, and this process's CPU per item (broker + cloud; not the load generator, not PostgreSQL). */
interface Measured {
  perSecond: number;
  cpuUsPerItem: number;
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / total;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const addr = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  if (!addr || typeof addr !== 'object') throw new Error('no free port');
  return addr.port;
}

/** Publishes the burst from a child process; resolves once it is connected and waiting for "go". */
async function readyPublisher(job: PublisherJob): Promise<BenchChild<PublisherJob, PublisherReport>> {
  const pub = new BenchChild<PublisherJob, PublisherReport>('load-publisher.ts');
  pub.send(job);
  await pub.next('ready');
  return pub;
}

async function until(label: string, goal: number, current: () => number, timeoutMs: number): Promise<void> {
  const bar = progressBar(label, goal);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const n = current();
      bar.update(n);
      if (n >= goal) return;
      if (Date.now() > deadline) throw new Error(`${label}: only ${n} of ${goal} after ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    bar.end();
  }
}

/** Reference: the same devices and payloads through a bare aedes (no auth, no ACL) into one QoS 1 subscriber. */
async function aedesFanIn(): Promise<Measured> {
  const aedes = createBroker();
  const server = createServer(aedes.handle);
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  const sub = await connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'bench-fan-in', reconnectPeriod: 0 });
  let received = 0;
  sub.on('message', () => received++);
  await sub.subscribeAsync('lectern/v1/devices/+/snapshot', { qos: 1 });
  const devices: BenchDevice[] = Array.from({ length: P.devices }, (_, i) => ({
    deviceId: `ref-dev-${i}`,
    roomId: `ref-room-${i}`,
  }));
  const pub = await readyPublisher({
    mode: 'burst',
    brokerUrl: `mqtt://127.0.0.1:${port}`,
    devices,
    perDevice: P.perDevice,
    faces: P.faces,
    window: P.window,
    virtualStart: Date.now() - (P.perDevice + 60) * 1000,
  });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  pub.send('go');
  await until('aedes fan-in', total, () => received, 600_000);
  const seconds = (performance.now() - t0) / 1000;
  const cpuUsPerItem = cpuSince(cpu0);
  await pub.next('done');
  pub.kill();
  await sub.endAsync();
  await new Promise<void>((r) => aedes.close(() => r()));
  await new Promise<void>((r) => server.close(() => r()));
  return { perSecond: total / seconds, cpuUsPerItem };
}

async function benchCloud(env: Record<string, string>): Promise<{ cloud: CloudHandle; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lectern-bench-'));
  const cloud = await startCloud({
    LECTERN_HTTP_PORT: '0',
    LECTERN_MQTT_PORT: 'auto',
    LECTERN_MQTT_HOST: '127.0.0.1',
    LECTERN_DATA_DIR: dataDir,
    LECTERN_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LECTERN_LOG_LEVEL: 'warn',
    LECTERN_WEB_DIR: join(dataDir, 'no-web'),
    // Sessions would split buckets at their boundaries; the count check below wants exactly one per second.
    LECTERN_AUTO_SESSION_START_S: '1000000000',
    ...env,
  });
  return { cloud, dataDir };
}

async function provision(cloud: CloudHandle, prefix: string, n: number): Promise<BenchDevice[]> {
  const bar = progressBar(`provisioning ${n} devices`, n);
  const out: BenchDevice[] = [];
  for (let i = 0; i < n; i++) {
    const deviceId = `${prefix}-dev-${i}`;
    const roomId = `${prefix}-room-${i}`;
    const creds = await provisionDevice(cloud, { id: deviceId, roomId, roomName: `${prefix} ${i}` });
    out.push({ deviceId, roomId, ...creds });
    bar.update(i + 1);
  }
  bar.end();
  return out;
}

/** Snapshots/s from first publish until every snapshot is stored and its 1 s / 1 min aggregates are written. */
async function ingestion(label: string, env: Record<string, string>): Promise<Measured> {
  const { cloud, dataDir } = await benchCloud(env);
  try {
    const devices = await provision(cloud, 'bench', P.devices);
    const writer = cloud.app.get(IngestService).writer;
    const before = writer.written;
    const virtualStart = Math.floor((Date.now() - (P.perDevice + 180) * 1000) / 60_000) * 60_000;
    const pub = await readyPublisher({
      mode: 'burst',
      brokerUrl: cloud.mqttUrl,
      devices,
      perDevice: P.perDevice,
      faces: P.faces,
      window: P.window,
      virtualStart,
    });
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    pub.send('go');
    await until(`${label} ingestion`, total, () => writer.written - before, 600_000);
    await writer.drain();
    // The last buckets are closed by the next sample or by silence; the run ends here, so close them now.
    await cloud.app.get(AggregationService).flushAll();
    const seconds = (performance.now() - t0) / 1000;
    const cpuUsPerItem = cpuSince(cpu0);
    await pub.next('done');
    pub.kill();

    const ds = cloud.app.get(DataSource);
    const stored = await ds.getRepository(SnapshotEntity).count();
    const perSecond = await ds.getRepository(AggregateEntity).countBy({ resolution: '1s' });
    const perMinute = await ds.getRepository(AggregateEntity).countBy({ resolution: '1m' });
    if (stored !== total) throw new Error(`${label}: ${stored} snapshots stored, expected ${total}`);
    if (perSecond !== total) throw new Error(`${label}: ${perSecond} 1 s aggregates, expected ${total}`);
    // One row per room and minute, unless back-pressure paused a room for longer than the close grace.
    const minutes = P.devices * (Math.floor((P.perDevice - 1) / 60) + 1);
    if (perMinute < minutes) throw new Error(`${label}: ${perMinute} 1 min aggregates, expected at least ${minutes}`);
    if (writer.failedBatches > 0) throw new Error(`${label}: ${writer.failedBatches} failed write batches`);
    const rate = total / seconds;
    log(
      `${label}: ${total} snapshots (${P.devices} devices x ${P.perDevice}, ${P.faces} faces) stored and aggregated in ` +
        `${round(seconds, 2)} s = ${round(rate)} snapshots/s; rows: ${stored} snapshots, ${perSecond} 1 s and ` +
        `${perMinute} 1 min aggregates (${minutes} room-minutes); cloud process CPU ${round(cpuUsPerItem)} µs per snapshot`,
    );
    return { perSecond: rate, cpuUsPerItem };
  } finally {
    await cloud.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function postgresIngestion(): Promise<Measured | null> {
  const probe = new Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await probe.connect();
    await probe.end();
  } catch (err) {
    log(`postgres: skipped, cannot reach ${PG_URL} (${(err as Error).message}); set LECTERN_BENCH_PG_URL`);
    return null;
  }
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const url = new URL(PG_URL);
  url.searchParams.set('schema', schema);
  try {
    return await ingestion('postgres', { LECTERN_DB_URL: url.toString() });
  } finally {
    await dropPgSchema(PG_URL, schema);
  }
}

/** Device capture -> SSE client receipt with `rooms` rooms (one device each) at `hz`, on SQLite. */
async function latency(): Promise<{ p50: number; p95: number; p99: number; max: number; samples: number }> {
  const { cloud, dataDir } = await benchCloud({});
  const listeners = new BenchChild<ListenerJob, ListenerReport>('sse-listeners.ts');
  try {
    const devices = await provision(cloud, 'live', P.rooms);
    const login = await fetch(`${cloud.httpUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    const { token } = (await login.json()) as { token: string };
    listeners.send({ httpUrl: cloud.httpUrl, token, roomIds: devices.map((d) => d.roomId) });
    await listeners.next('ready');
    const pub = await readyPublisher({
      mode: 'rate',
      brokerUrl: cloud.mqttUrl,
      devices,
      hz: P.hz,
      durationS: P.latencyS,
      faces: P.faces,
    });
    pub.send('go');
    const t0 = Date.now();
    const bar = progressBar(`latency ${P.rooms} rooms at ${P.hz} Hz`, P.latencyS);
    const tick = setInterval(() => bar.update(Math.min(P.latencyS, Math.round((Date.now() - t0) / 1000))), 1000);
    const done = await pub.next('done');
    clearInterval(tick);
    bar.end();
    pub.kill();
    await new Promise((r) => setTimeout(r, 1500));
    listeners.send('stop');
    const { samples } = await listeners.next('latencies');
    const sorted = [...samples].sort((a, b) => a - b);
    const r = {
      p50: percentile(sorted, 0.5),
      p95: percentile(sorted, 0.95),
      p99: percentile(sorted, 0.99),
      max: sorted.at(-1) ?? NaN,
      samples: sorted.length,
    };
    log(
      `latency: ${P.rooms} rooms x ${P.hz} Hz for ${P.latencyS} s, ${done.sent} snapshots sent, ${r.samples} SSE ` +
        `updates received; device -> browser p50 ${r.p50} ms, p95 ${r.p95} ms, p99 ${r.p99} ms, max ${r.max} ms`,
    );
    return r;
  } finally {
    listeners.kill();
    await cloud.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  log(
    `lectern cloud bench: ${P.devices} devices x ${P.perDevice} snapshots (${P.faces} faces, QoS 1, window ` +
      `${P.window}); latency with ${P.rooms} rooms at ${P.hz} Hz for ${P.latencyS} s`,
  );
  const skipped: Measured = { perSecond: NaN, cpuUsPerItem: NaN };
  const aedes = PHASES.has('aedes') ? await aedesFanIn() : skipped;
  if (PHASES.has('aedes'))
    log(
      `aedes fan-in (reference, no auth/ACL, one QoS 1 subscriber): ${round(aedes.perSecond)} messages/s; ` +
        `broker + subscriber CPU ${round(aedes.cpuUsPerItem)} µs per message`,
    );
  const sqlite = PHASES.has('sqlite') ? await ingestion('sqlite', {}) : skipped;
  const postgres = (PHASES.has('postgres') ? await postgresIngestion() : null) ?? skipped;
  const none = { p50: NaN, p95: NaN, p99: NaN, max: NaN, samples: 0 };
  const lat = PHASES.has('latency') ? await latency() : none;
  // NaN (skipped or unreachable) becomes null in JSON.
  log(
    JSON.stringify({
      sqliteSnapshotsPerSecond: round(sqlite.perSecond),
      postgresSnapshotsPerSecond: round(postgres.perSecond),
      p50LatencyMs: lat.p50,
      p95LatencyMs: lat.p95,
      p99LatencyMs: lat.p99,
      maxLatencyMs: lat.max,
      latencySamples: lat.samples,
      aedesFanInPerSecond: round(aedes.perSecond),
      sqliteVsAedes: round(sqlite.perSecond / aedes.perSecond, 3),
      postgresVsAedes: round(postgres.perSecond / aedes.perSecond, 3),
      sqliteCloudCpuUsPerSnapshot: round(sqlite.cpuUsPerItem),
      postgresCloudCpuUsPerSnapshot: round(postgres.cpuUsPerItem),
      aedesCpuUsPerMessage: round(aedes.cpuUsPerItem),
      loadAverage1m: round(loadavg()[0] ?? NaN, 2),
      cpus: cpus().length,
      devices: P.devices,
      snapshotsPerRun: total,
      faces: P.faces,
      rooms: P.rooms,
      hz: P.hz,
    }),
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
