#!/usr/bin/env node
// MQTT QoS 1 throughput through NATS JetStream's MQTT listener: one node vs the 3-node cluster of
// deploy/cloud/nats (issue 16), and failover time after a node is killed (SIGKILL) or stopped (SIGTERM).
// Usage: npx tsx lab/src/cluster/mqtt-bench.ts [--devices 20] [--per-device 250] [--window 16] [--kills 3]
//        [--base-port 26220]
// Prints one JSON line per scenario, then a summary line. Needs nats-server (>= 2.9) and curl on PATH.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';

const REPO = resolve(__dirname, '../../..');
const SCRIPT = join(REPO, 'deploy/cloud/nats/start-cluster.sh');
const CLOUD = { username: 'lectern-cloud', password: 'bench-cloud-pw' };

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const DEVICES = arg('devices', 20);
const PER_DEVICE = arg('per-device', 250);
const WINDOW = arg('window', 16);
const BASE = arg('base-port', 26220);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const devices = Array.from({ length: DEVICES }, (_, i) => ({ deviceId: `bench-${i}`, password: `bench-${i}-pw` }));

function cpuMs(pid: number): number {
  // utime + stime in clock ticks (100/s on Linux).
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end && !cond()) await sleep(20);
  return cond();
}

interface Broker {
  pids: number[];
  ports: number[];
  stop(): Promise<void>;
}

async function startSingle(dir: string, auth: string): Promise<Broker> {
  const port = BASE + 100;
  mkdirSync(join(dir, 'single'), { recursive: true });
  writeFileSync(join(dir, 'single', 'auth.conf'), readFileSync(auth));
  writeFileSync(
    join(dir, 'single', 'nats.conf'),
    [
      'server_name: "lectern-single"',
      `host: "127.0.0.1"`,
      `port: ${BASE + 102}`,
      `jetstream { store_dir: "${join(dir, 'single', 'store')}" }`,
      `mqtt { host: "127.0.0.1", port: ${port}, ack_wait: "30s", max_ack_pending: 1000 }`,
      'include "auth.conf"',
    ].join('\n'),
  );
  const p = spawn('nats-server', ['-c', join(dir, 'single', 'nats.conf')], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const ok = await connectAsync({ host: '127.0.0.1', port, reconnectPeriod: 0 }).then(
      (c) => (c.end(true), true),
      (e: Error) => /authori/i.test(e.message),
    );
    if (ok) break;
    await sleep(100);
  }
  return {
    pids: [p.pid!],
    ports: [port],
    stop: async () => {
      p.kill('SIGTERM');
      await until(() => p.exitCode !== null, 10_000);
    },
  };
}

async function startCluster(dir: string, auth: string): Promise<Broker> {
  const c: ChildProcess = spawn(
    'bash',
    [SCRIPT, '--base-port', String(BASE), '--dir', join(dir, 'cluster'), '--auth', auth],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  if (!(await until(() => /^READY$/m.test(out) || c.exitCode !== null, 90_000)) || c.exitCode !== null)
    throw new Error(`cluster did not start: ${out}`);
  const m = [...out.matchAll(/^node\d pid=(\d+) mqtt=mqtt:\/\/127\.0\.0\.1:(\d+)/gm)];
  return {
    pids: m.map((x) => Number(x[1])),
    ports: m.map((x) => Number(x[2])),
    stop: async () => {
      c.kill('SIGTERM');
      await until(() => c.exitCode !== null, 15_000);
    },
  };
}

const hp = (port: number): { host: string; port: number } => ({ host: '127.0.0.1', port });

/** K devices publish N QoS 1 snapshots each (W in flight per device) while the cloud (on the last port) counts. */
async function load(b: Broker, label: string): Promise<Record<string, unknown>> {
  const ports = b.ports;
  const cloud = await connectAsync({
    ...hp(ports.at(-1)!),
    username: CLOUD.username,
    password: CLOUD.password,
    clientId: `lectern-cloud-bench-${label}`,
    clean: false,
    reconnectPeriod: 0,
  } as IClientOptions);
  let received = 0;
  cloud.on('message', () => received++);
  await cloud.subscribeAsync('lectern/v1/devices/+/snapshot', { qos: 1 });
  const clients: MqttClient[] = await Promise.all(
    devices.map((d, i) =>
      connectAsync({
        ...hp(ports[i % ports.length]!),
        username: d.deviceId,
        password: d.password,
        clientId: `lectern-${d.deviceId}`,
        reconnectPeriod: 0,
      }),
    ),
  );
  const cpu0 = b.pids.map(cpuMs);
  const t0 = Date.now();
  const lat: number[] = [];
  await Promise.all(
    clients.map(
      (c, i) =>
        new Promise<void>((done) => {
          let next = 0;
          let acked = 0;
          const topic = `lectern/v1/devices/${devices[i]!.deviceId}/snapshot`;
          const pump = (): void => {
            while (next < PER_DEVICE && next - acked < WINDOW) {
              const ts = Date.now();
              next++;
              c.publish(topic, JSON.stringify({ seq: next, ts }), { qos: 1 }, () => {
                acked++;
                lat.push(Date.now() - ts);
                if (acked === PER_DEVICE) done();
                else pump();
              });
            }
          };
          pump();
        }),
    ),
  );
  const ackedMs = Date.now() - t0;
  const total = DEVICES * PER_DEVICE;
  await until(() => received >= total, 30_000);
  const recvMs = Date.now() - t0;
  const cpu = b.pids.map((p, i) => cpuMs(p) - cpu0[i]!);
  lat.sort((a, b2) => a - b2);
  for (const c of [...clients, cloud]) c.end(true);
  return {
    scenario: label,
    devices: DEVICES,
    messages: total,
    received,
    ackedPerS: Math.round((total / ackedMs) * 1000),
    receivedPerS: Math.round((received / recvMs) * 1000),
    pubAckP50Ms: lat[Math.floor(lat.length * 0.5)],
    pubAckP99Ms: lat[Math.floor(lat.length * 0.99)],
    brokerCpuUsPerMsg: Math.round(((cpu.reduce((a, x) => a + x, 0) * 1000) / total) * 10) / 10,
  };
}

/**
 * nats-server 2.9 sets up an account's MQTT state on a node (a durable consumer on $MQTT_rmsgs, through the
 * JetStream meta leader) when the first MQTT client of that account connects to that node. A node first reached
 * during a failover does it then, and if the meta leader is the node that just died, the CONNECT waits out the
 * 4 s JetStream API timeout and is refused. One short connection per node beforehand (a health check) avoids it.
 */
export async function warmNodes(ports: number[]): Promise<void> {
  for (const port of ports) {
    const c = await connectAsync({ ...hp(port), ...CLOUD, clientId: `lectern-warm-${port}`, reconnectPeriod: 0 });
    await c.endAsync(true);
  }
}

/** One device publishing at 50 msg/s on node 1; node 1 is killed (or stopped); time until acks resume. */
async function failover(b: Broker, signal: 'SIGKILL' | 'SIGTERM', warm: boolean): Promise<Record<string, unknown>> {
  if (warm) await warmNodes(b.ports);
  const d = devices[0]!;
  const c = await connectAsync({
    ...hp(b.ports[0]!),
    servers: b.ports.map(hp),
    username: d.deviceId,
    password: d.password,
    clientId: `lectern-${d.deviceId}`,
    reconnectPeriod: 100,
  });
  let killedAt = 0;
  let closedAt = 0;
  let reconnectedAt = 0;
  let resumedAt = 0;
  c.on('close', () => {
    if (killedAt && !closedAt) closedAt = Date.now();
  });
  c.on('connect', () => {
    if (killedAt && !reconnectedAt) reconnectedAt = Date.now();
  });
  const timer = setInterval(() => {
    c.publish(`lectern/v1/devices/${d.deviceId}/snapshot`, '{}', { qos: 1 }, (e) => {
      // First PUBACK on the new connection: the device's traffic flows again.
      if (!e && reconnectedAt && !resumedAt) resumedAt = Date.now();
    });
  }, 20);
  await sleep(1000);
  killedAt = Date.now();
  process.kill(b.pids[0]!, signal);
  await until(() => resumedAt > 0, 60_000);
  clearInterval(timer);
  c.end(true);
  return {
    scenario: `failover-${signal}-${warm ? 'warm' : 'cold'}-nodes`,
    disconnectedMs: closedAt - killedAt,
    reconnectMs: reconnectedAt - killedAt,
    resumedMs: resumedAt - killedAt,
    newPort: (c.options as { port?: number }).port,
  };
}

async function main(): Promise<void> {
  if (spawnSync('sh', ['-c', 'command -v nats-server']).status !== 0) throw new Error('nats-server not on PATH');
  const dir = mkdtempSync(join(tmpdir(), 'lectern-nats-bench-'));
  const auth = join(dir, 'auth.conf');
  writeFileSync(join(dir, 'devices.json'), JSON.stringify(devices));
  const gen = spawnSync(
    'npx',
    [
      '--no-install',
      'tsx',
      'cloud/src/mqtt/nats-auth.ts',
      '--cloud-user',
      CLOUD.username,
      '--cloud-password',
      CLOUD.password,
      '--devices',
      join(dir, 'devices.json'),
      '--bcrypt-cost',
      '4',
      '--out',
      auth,
    ],
    { cwd: REPO, encoding: 'utf8' },
  );
  if (gen.status !== 0) throw new Error(`nats-auth.ts failed: ${gen.stderr}`);
  const results: Array<Record<string, unknown>> = [];
  const report = (r: Record<string, unknown>): void => {
    results.push(r);
    console.log(JSON.stringify(r));
  };
  try {
    const single = await startSingle(dir, auth);
    try {
      report(await load(single, 'single-node'));
    } finally {
      await single.stop();
    }
    const kills = arg('kills', 3);
    const trials: Array<['SIGKILL' | 'SIGTERM', boolean]> = [
      ...Array.from({ length: kills }, (): ['SIGKILL', boolean] => ['SIGKILL', true]),
      ['SIGTERM', true],
      ['SIGKILL', false],
    ];
    for (const [t, [signal, warm]] of trials.entries()) {
      const cluster = await startCluster(dir, auth);
      try {
        if (t === 0) report(await load(cluster, 'cluster-3-nodes'));
        report(await failover(cluster, signal, warm));
      } finally {
        await cluster.stop();
        for (const p of cluster.pids) spawnSync('kill', ['-KILL', String(p)]);
      }
      rmSync(join(dir, 'cluster'), { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify({ summary: results }));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
