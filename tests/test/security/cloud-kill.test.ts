// Issue 12: kill -9 of the cloud mid-stream loses no acknowledged snapshot. The cloud runs as a real process
// (`node cloud/dist/cli/serve.js`), devices are plain MQTT clients with their own credentials publishing at
// QoS 1 through an agent-like outbox; the cloud is killed with SIGKILL every 2-4 s and started again at once
// on the same ports and data. Afterwards the database is read directly and, per device, what was made,
// acknowledged (PUBACK received) and stored is compared: acknowledged-then-lost and duplicate rows must be 0,
// and everything made must end up stored.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { afterAll, describe, expect, it } from 'vitest';
import { CloudProcess, createDevice, createPgDatabase, dropMqttSession, freePort } from '../support/cloud-process';
import { haveMosquitto, startPrivateMosquitto, type PrivateMosquitto } from '../support/fault-mosquitto';
import { FaultDevice, openSnapshotDb, startStream, storedSeqs, tally } from '../support/fault-device';
import { waitFor } from '../support/wait';

const PG_URL = process.env.LECTERN_TEST_PG_URL;
const MQTT_URL = process.env.LECTERN_TEST_MQTT_URL;
/**
 * Kills per target: the acceptance figure, 10 (4 min for the file on 2 lightly loaded cores, as in CI; 14 min on
 * 2 cores shared with a load average of 15, since a cloud start then takes 10-40 s instead of 2-6 s). Lower it
 * with LECTERN_KILLS for a quicker local run.
 */
const KILLS = Number(process.env.LECTERN_KILLS ?? 10);
/** Snapshots a second, all devices together. */
const RATE = Number(process.env.LECTERN_KILL_RATE ?? 500);
const DEVICES = Number(process.env.LECTERN_KILL_DEVICES ?? 10);
/** Publishing after the last restart (with LECTERN_KILLS=0: a throughput check without kills). */
const TAIL_MS = Number(process.env.LECTERN_KILL_TAIL_S ?? 2) * 1000;
/**
 * External broker: LECTERN_TEST_MQTT_URL turns the target on. By default the test runs its own Mosquitto with
 * deploy/cloud's queue limits (max_queued_messages 200000), because the shared test broker keeps Mosquitto's
 * default of 1000 queued messages for the stopped cloud's session, and 500 snapshots/s during a 3-5 s restart
 * overflow it: the broker then drops snapshots it has already acknowledged to the devices (measured: 2561 of
 * 9408 lost over 2 kills). LECTERN_KILL_BROKER=shared uses LECTERN_TEST_MQTT_URL itself (then keep
 * LECTERN_KILL_RATE x restart time under 1000).
 */
const SHARED_BROKER = process.env.LECTERN_KILL_BROKER === 'shared' || !haveMosquitto();
const ADMIN_PASSWORD = 'kill-test-admin-password';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Db = 'sqlite' | 'postgres';
const TARGETS: { name: string; db: Db; mqtt: string | undefined; missing: string | null }[] = [
  { name: 'SQLite + embedded aedes', db: 'sqlite', mqtt: undefined, missing: null },
  {
    name: 'PostgreSQL + embedded aedes',
    db: 'postgres',
    mqtt: undefined,
    missing: PG_URL ? null : 'LECTERN_TEST_PG_URL',
  },
  {
    name: 'SQLite + external Mosquitto',
    db: 'sqlite',
    mqtt: MQTT_URL,
    missing: MQTT_URL ? null : 'LECTERN_TEST_MQTT_URL',
  },
  {
    name: 'PostgreSQL + external Mosquitto',
    db: 'postgres',
    mqtt: MQTT_URL,
    missing:
      [PG_URL ? null : 'LECTERN_TEST_PG_URL', MQTT_URL ? null : 'LECTERN_TEST_MQTT_URL']
        .filter(Boolean)
        .join(' and ') || null,
  },
];

if (MQTT_URL && SHARED_BROKER && process.env.LECTERN_KILL_BROKER !== 'shared')
  console.warn('cloud kill -9: no mosquitto binary, the external-broker targets use LECTERN_TEST_MQTT_URL itself');

for (const target of TARGETS) {
  if (target.missing)
    console.warn(
      `skipping cloud kill -9 on ${target.name}: ${target.missing} ${target.missing.includes(' and ') ? 'are' : 'is'} not set`,
    );

  describe.skipIf(target.missing !== null)(`cloud kill -9 under load, ${target.name}`, () => {
    const run = randomBytes(3).toString('hex');
    let dataDir: string | null = null;
    // Fixed per run, so every restarted cloud resumes the broker's persistent session (external broker).
    const ingestClientId = `lectern-test-kill-${run}`;
    let cloud: CloudProcess | null = null;
    let pg: Awaited<ReturnType<typeof createPgDatabase>> | null = null;
    let db: DataSource | null = null;
    let stream: ReturnType<typeof startStream> | null = null;
    let broker: PrivateMosquitto | null = null;
    let trace: NodeJS.Timeout | null = null;
    const devices: FaultDevice[] = [];

    afterAll(async () => {
      if (trace) clearInterval(trace);
      stream?.stop();
      for (const d of devices) await d.close();
      await cloud?.stop().catch(() => undefined);
      await db?.destroy().catch(() => undefined);
      if (target.mqtt && !broker) await dropMqttSession(target.mqtt, ingestClientId);
      await broker?.stop();
      await pg?.drop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    it(
      `loses no acknowledged snapshot across ${KILLS} kills at ${RATE} snapshots/s`,
      // Generous: on a loaded 2-core machine a cloud start has taken up to 40 s.
      { timeout: 420_000 + KILLS * 45_000 },
      async () => {
        const dir = mkdtempSync(join(tmpdir(), 'lectern-kill-'));
        dataDir = dir;
        const env: Record<string, string> = {
          LECTERN_HTTP_PORT: String(await freePort()),
          LECTERN_HTTP_HOST: '127.0.0.1',
          LECTERN_MQTT_HOST: '127.0.0.1',
          LECTERN_DATA_DIR: dir,
          LECTERN_WEB_DIR: join(dir, 'no-web'),
          LECTERN_ADMIN_PASSWORD: ADMIN_PASSWORD,
          LECTERN_JWT_SECRET: randomBytes(24).toString('hex'),
          LECTERN_LOG_LEVEL: 'warn',
          LECTERN_LOG_FORMAT: 'json',
        };
        let mqttUrl = target.mqtt;
        if (mqttUrl && !SHARED_BROKER) {
          broker = await startPrivateMosquitto();
          mqttUrl = broker.url;
        }
        if (mqttUrl) {
          env.LECTERN_MQTT_URL = mqttUrl;
          env.LECTERN_MQTT_CLIENT_ID = ingestClientId;
        } else {
          env.LECTERN_MQTT_PORT = String(await freePort());
        }
        if (target.db === 'postgres') {
          pg = await createPgDatabase(PG_URL!);
          env.LECTERN_DB_URL = pg.url;
        }
        cloud = new CloudProcess({ env, startTimeoutMs: 120_000 });
        await cloud.start();
        const c = cloud;

        const admin = await c.admin();
        const room = `kill-${run}`;
        const brokerUrl = mqttUrl ?? `mqtt://127.0.0.1:${env.LECTERN_MQTT_PORT}`;
        for (let i = 0; i < DEVICES; i++) {
          const id = `kill${i}-${run}`;
          const creds = await createDevice(admin, { id, roomId: room, roomName: `Kill ${run}` });
          devices.push(new FaultDevice(id, { url: brokerUrl, ...creds, roomId: room }));
        }
        await waitFor(() => devices.every((d) => d.connected), 'every device connected', 20_000);
        db = await openSnapshotDb(
          target.db === 'postgres' ? { pgUrl: pg!.url } : { sqliteFile: join(dir, 'lectern.db') },
        );

        stream = startStream(devices, RATE);
        const streamStart = stream.startedAt;
        trace = process.env.LECTERN_KILL_TRACE
          ? setInterval(() => {
              const u = devices.reduce((n, d) => n + d.outbox.size, 0);
              const f = devices.reduce((n, d) => n + d.inFlightCount, 0);
              const conn = devices.filter((d) => d.connected).length;
              console.log(`t=${Date.now() - streamStart} unacked=${u} inflight=${f} connected=${conn}`);
            }, 500)
          : null;
        const kills: { inFlight: number; unacked: number; killedAt: number; restartMs: number }[] = [];
        for (let k = 0; k < KILLS; k++) {
          await sleep(2000 + Math.random() * 2000);
          // Mid-stream: snapshots are on the wire (published, PUBACK pending) when the process dies.
          const inFlight = devices.reduce((n, d) => n + d.inFlightCount, 0);
          const unacked = devices.reduce((n, d) => n + d.outbox.size, 0);
          const killedAt = Date.now();
          await c.kill9();
          await c.start();
          kills.push({ inFlight, unacked, killedAt, restartMs: Date.now() - killedAt });
        }
        await sleep(TAIL_MS);
        const produced = stream.stop();
        if (trace) clearInterval(trace);
        stream = null;

        // Every snapshot made is acknowledged in the end (the devices resend what was not)...
        await waitFor(
          () => devices.every((d) => d.outbox.size === 0),
          'every snapshot acknowledged',
          180_000,
          200,
        ).catch((err: Error) => {
          const left = devices.reduce((n, d) => n + d.outbox.size, 0);
          throw new Error(`${err.message}: ${left} never acknowledged\n${c.log}`);
        });
        // ...and stored (over an external broker the device's PUBACK is the broker's: wait for delivery).
        const ids = devices.map((d) => d.id);
        await waitFor(
          async () => tally(devices, await storedSeqs(db!, ids)).notStored === 0,
          'every snapshot stored',
          180_000,
          500,
        ).catch(() => undefined);
        const t = tally(devices, await storedSeqs(db, ids));

        const restart = kills.map((k) => k.restartMs);
        const { lostSample, ...counts } = t;
        const figures = {
          target: target.name,
          ...(broker ? { broker: `private mosquitto (${broker.settings.join(', ')})` } : {}),
          ...(target.mqtt && !broker ? { broker: target.mqtt } : {}),
          kills: kills.length,
          devices: devices.length,
          ...counts,
          publishRatePerS: Math.round(produced.ratePerS),
          publishSeconds: Math.round(produced.seconds * 10) / 10,
          inFlightAtKills: kills.reduce((n, k) => n + k.inFlight, 0),
          unackedAtKills: kills.reduce((n, k) => n + k.unacked, 0),
          restartMsMean: Math.round(restart.reduce((a, b) => a + b, 0) / Math.max(1, restart.length)),
          restartMsMax: Math.max(0, ...restart),
          maxOutboxPerDevice: Math.max(...devices.map((d) => d.maxOutbox)),
          publishes: devices.reduce((n, d) => n + d.publishes, 0),
          deviceConnects: devices.reduce((n, d) => n + d.connects, 0),
        };
        console.log(`cloud kill -9: ${JSON.stringify(figures)}`);
        if (t.ackedThenLost > 0) {
          // Times relative to the stream's start: when the lost ones were acknowledged, when the kills were.
          const rel = (at: number) => at - streamStart;
          console.log(
            `acknowledged-then-lost sample (device#seq@ms): ${lostSample
              .map((s) => s.replace(/@(\d+)$/, (_, at: string) => `@${rel(Number(at))}`))
              .join(', ')}; kills at ms ${kills.map((k) => `${rel(k.killedAt)}+${k.restartMs}`).join(', ')}`,
          );
        }

        expect(kills.length).toBe(KILLS);
        expect(t.sent).toBe(produced.made);
        expect(t.ackedThenLost).toBe(0);
        expect(t.duplicates).toBe(0);
        expect(t.acked).toBe(t.sent);
        expect(t.stored).toBe(t.sent);
        // The kills really hit a live stream: on the embedded broker the devices' PUBACKs wait for the cloud's
        // commit, so snapshots were in flight at the kills (over Mosquitto the cloud's in-flight window is the
        // broker's and not visible from here).
        if (KILLS > 0 && !target.mqtt) expect(figures.inFlightAtKills).toBeGreaterThan(0);
      },
    );
  });
}
