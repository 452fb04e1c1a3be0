import { randomBytes } from 'node:crypto';
import { topicFor } from '@lectern/protocol';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import {
  AggregationService,
  AuditEntity,
  IngestService,
  SessionsService,
  SnapshotEntity,
  provisionDevice,
} from '../src';
import { startTestCloud, waitFor, type TestCloud } from './helpers/cloud';
import { makeSnapshot, snapshotPayload } from './helpers/snapshots';
import { announceSkip, DB_TARGETS } from './helpers/targets';

interface Point {
  ts: number;
  faces: number;
  read: number;
  valence: number | null;
  attention: number | null;
  distribution: number[] | null;
}
interface Report {
  session: { id: string; status: string; source: string };
  summary: {
    durationS: number;
    meanFaces: number;
    meanRead: number;
    meanValence: number | null;
    meanAttention: number | null;
    distribution: number[] | null;
    peakFaces: number;
  };
  timeline: Point[];
  peaks: { ts: number; kind: string; value: number }[];
  listeners: { key: string; seenS: number; distribution: number[]; meanValence: number }[];
}

for (const target of DB_TARGETS) {
  announceSkip('sessions and aggregation', target);
  describe.skipIf(target.skip)(`sessions, aggregates and reports on ${target.db}`, () => {
    let cloud: TestCloud;
    let token: string;
    const run = randomBytes(3).toString('hex');
    const room = `lecture-${run}`;
    const small = `small-${run}`;
    const clients: MqttClient[] = [];
    // A whole minute well in the past, so 10 s of data stay inside one 1-minute bucket.
    const t0 = Math.floor((Date.now() - 180_000) / 60_000) * 60_000;

    const device = async (id: string, roomId: string): Promise<MqttClient> => {
      const creds = await provisionDevice(cloud, { id, roomId, roomName: roomId });
      const c = await connectAsync(cloud.mqttUrl, { ...creds, clientId: id, reconnectPeriod: 0 });
      clients.push(c);
      return c;
    };
    /** Waits until the cloud has taken all `n` snapshots of a device, then closes the (past) buckets. */
    const settle = async (deviceId: string, n: number): Promise<void> => {
      const repo = cloud.app.get(DataSource).getRepository(SnapshotEntity);
      await waitFor(
        async () => {
          await cloud.app.get(IngestService).writer.drain();
          return (await repo.countBy({ deviceId })) === n;
        },
        10_000,
        `${n} snapshots of ${deviceId}`,
      );
      await cloud.app.get(AggregationService).tick(Date.now());
    };

    beforeAll(async () => {
      cloud = await startTestCloud({ db: target.db, env: { LECTERN_AUTO_SESSION_START_S: '100000' } });
      token = await cloud.login();
    });
    afterAll(async () => {
      for (const c of clients) await c.endAsync(true);
      await cloud?.stop();
    });

    it('aggregates a manual session into 1 s / 1 min timelines and a report with CSV and PDF exports', async () => {
      const cam = await device(`cam-${run}`, room);
      const started = await cloud.api<{ id: string; status: string; source: string }>(`/api/rooms/${room}/sessions`, {
        method: 'POST',
        token,
        body: { title: 'Linear algebra' },
      });
      expect(started.status).toBe(201);
      expect(started.body).toMatchObject({ status: 'active', source: 'manual' });
      expect((await cloud.api(`/api/rooms/${room}/sessions`, { method: 'POST', token, body: {} })).status).toBe(409);
      const sessionId = started.body.id;

      // 10 s at 4 Hz: a happy first half, a glum second half; 5 listeners.
      for (let i = 0; i < 40; i++) {
        const s = makeSnapshot(cam.options.username!, room, i + 1, 5, {
          happy: i < 20 ? 0.8 : 0.05,
          capturedAt: t0 + i * 250,
        });
        await cam.publishAsync(topicFor('snapshot', s.deviceId), snapshotPayload(s), { qos: 1 });
      }
      await settle(`cam-${run}`, 40);
      await waitFor(
        async () => {
          const tl = await cloud.api<{ points: Point[] }>(
            `/api/rooms/${room}/timeline?from=${t0}&to=${t0 + 60_000}&resolution=1s`,
            { token },
          );
          return tl.body.points.length === 10;
        },
        10_000,
        '10 one-second points',
      );
      const tl1s = await cloud.api<{ points: Point[] }>(
        `/api/rooms/${room}/timeline?from=${t0}&to=${t0 + 60_000}&resolution=1s`,
        { token },
      );
      expect(tl1s.body.points.map((p) => p.ts)).toEqual(Array.from({ length: 10 }, (_, i) => t0 + i * 1000));
      expect(tl1s.body.points.every((p) => p.faces === 5 && p.read === 5 && p.distribution?.length === 7)).toBe(true);
      expect(tl1s.body.points[0]!.valence!).toBeGreaterThan(0.6);
      expect(tl1s.body.points[9]!.valence!).toBeLessThan(0);
      expect(tl1s.body.points[0]!.attention).toBeCloseTo(0.8, 5); // one in four tracks looks away
      const tl1m = await cloud.api<{ points: Point[] }>(
        `/api/rooms/${room}/timeline?from=${t0}&to=${t0 + 60_000}&resolution=1m`,
        { token },
      );
      expect(tl1m.body.points).toHaveLength(1);
      const meanOf1s = tl1s.body.points.reduce((s, p) => s + p.valence!, 0) / 10;
      expect(tl1m.body.points[0]!.valence!).toBeCloseTo(meanOf1s, 6);
      const badQuery = await cloud.api<{ message: string }>(`/api/rooms/${room}/timeline?resolution=5s`, { token });
      expect(badQuery.status).toBe(400);
      expect(badQuery.body.message).toMatch(/resolution/);

      const stopped = await cloud.api<{ status: string; endedAt: number }>(`/api/sessions/${sessionId}/stop`, {
        method: 'POST',
        token,
      });
      expect(stopped.body.status).toBe('ended');
      expect((await cloud.api(`/api/sessions/${sessionId}/stop`, { method: 'POST', token })).status).toBe(409);

      const report = await cloud.api<Report>(`/api/sessions/${sessionId}/report`, { token });
      expect(report.status).toBe(200);
      expect(report.body.session).toMatchObject({ id: sessionId, status: 'ended', source: 'manual' });
      expect(report.body.timeline).toHaveLength(10);
      expect(report.body.summary.peakFaces).toBe(5);
      expect(report.body.summary).toMatchObject({ meanFaces: 5, meanRead: 5 });
      expect(report.body.summary.meanValence!).toBeCloseTo(meanOf1s, 6);
      expect(report.body.summary.distribution).toHaveLength(7);
      expect(report.body.peaks.find((p) => p.kind === 'valence-high')?.ts).toBeLessThan(t0 + 5000);
      expect(report.body.peaks.find((p) => p.kind === 'valence-low')?.ts).toBeGreaterThanOrEqual(t0 + 5000);
      expect(report.body.listeners.map((l) => l.key).sort()).toEqual([1, 2, 3, 4, 5].map((i) => `cam-${run}:${i}`));
      expect(report.body.listeners[0]!.seenS).toBeCloseTo(9.75, 5);

      const sessions = await cloud.api<{ id: string }[]>(`/api/sessions?roomId=${room}`, { token });
      expect(sessions.body.map((s) => s.id)).toEqual([sessionId]);

      const csv = await fetch(`${cloud.httpUrl}/api/sessions/${sessionId}/report.csv`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
      // A '#' comment block documents the units; the columns keep their order (session_s was appended).
      const lines = (await csv.text())
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('#'));
      expect(lines[0]).toBe(
        'time,ts,faces,read,valence,attention,angry,disgust,fear,happy,sad,surprise,neutral,session_s',
      );
      expect(lines).toHaveLength(11);
      const pdf = await fetch(`${cloud.httpUrl}/api/sessions/${sessionId}/report.pdf`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const bytes = Buffer.from(await pdf.arrayBuffer());
      expect(pdf.headers.get('content-type')).toBe('application/pdf');
      expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
      expect(bytes.length).toBeGreaterThan(1500);
      // Each view and export is in the audit trail, attributed to the admin.
      const audit = await cloud.app
        .get(DataSource)
        .getRepository(AuditEntity)
        .findBy({ target: `session:${sessionId}` });
      expect(new Set(audit.map((r) => r.action))).toEqual(
        new Set(['session.start', 'session.stop', 'report.view', 'report.export.csv', 'report.export.pdf']),
      );
      expect(audit.every((r) => r.username === 'admin')).toBe(true);
    });

    it('withholds everything but face counts below the minimum group size, live and in the timeline', async () => {
      const cam = await device(`few-${run}`, small);
      for (let i = 0; i < 8; i++) {
        const s = makeSnapshot(cam.options.username!, small, i + 1, 2, { capturedAt: t0 + i * 500 });
        await cam.publishAsync(topicFor('snapshot', s.deviceId), snapshotPayload(s), { qos: 1 });
      }
      await settle(`few-${run}`, 8);
      await waitFor(
        async () => {
          const tl = await cloud.api<{ points: Point[] }>(
            `/api/rooms/${small}/timeline?from=${t0}&to=${t0 + 60_000}&resolution=1s`,
            { token },
          );
          return tl.body.points.length === 4;
        },
        10_000,
        'suppressed points',
      );
      const tl = await cloud.api<{ points: Point[] }>(`/api/rooms/${small}/timeline?from=${t0}&to=${t0 + 60_000}`, {
        token,
      });
      expect(
        tl.body.points.every(
          (p) => p.faces === 2 && p.valence === null && p.attention === null && p.distribution === null,
        ),
      ).toBe(true);
      const rooms = await cloud.api<{ id: string; live: Record<string, unknown> }[]>('/api/rooms', { token });
      expect(rooms.body.find((r) => r.id === small)?.live).toMatchObject({
        faces: 2,
        suppressed: true,
        distribution: null,
        dominant: null,
        valence: null,
        attention: null,
        tracks: [],
      });
    });

    it('withholds emotions but not attention when fewer than K listeners are read, live and in the timeline', async () => {
      const far = `far-${run}`;
      const cam = await device(far, far);
      // 10 listeners, 8 of them too small to read: 2 read, under the default K of 3.
      for (let i = 0; i < 8; i++) {
        const s = makeSnapshot(far, far, i + 1, 10, { tooSmall: 8, capturedAt: t0 + i * 500 });
        await cam.publishAsync(topicFor('snapshot', far), snapshotPayload(s), { qos: 1 });
      }
      await settle(far, 8);
      const timeline = () =>
        cloud.api<{ points: Point[] }>(`/api/rooms/${far}/timeline?from=${t0}&to=${t0 + 60_000}&resolution=1s`, {
          token,
        });
      await waitFor(async () => (await timeline()).body.points.length === 4, 10_000, 'points of the far room');
      for (const p of (await timeline()).body.points) {
        expect(p).toMatchObject({ faces: 10, read: 2, valence: null, distribution: null });
        expect(p.attention).toBeCloseTo(0.8, 5);
      }
      const rooms = await cloud.api<{ id: string; live: Record<string, unknown> }[]>('/api/rooms', { token });
      expect(rooms.body.find((r) => r.id === far)?.live).toMatchObject({
        faces: 10,
        read: 2,
        tooSmall: 8,
        minReadablePx: 16,
        emotionEnabled: true,
        suppressed: true,
        distribution: null,
        valence: null,
        tracks: [],
        attention: 0.8,
      });
    });
  });
}

describe('automatic sessions', () => {
  let cloud: TestCloud;
  let client: MqttClient | null = null;
  beforeAll(async () => {
    cloud = await startTestCloud({ env: { LECTERN_AUTO_SESSION_START_S: '0', LECTERN_AUTO_SESSION_STOP_S: '1' } });
  });
  afterAll(async () => {
    await client?.endAsync(true);
    await cloud?.stop();
  });

  it('starts when faces appear and ends after the room has been empty, with a stored report', async () => {
    const token = await cloud.login();
    const creds = await provisionDevice(cloud, { id: 'auto-cam', roomId: 'auto-room', roomName: 'Auto' });
    client = await connectAsync(cloud.mqttUrl, { ...creds, clientId: 'auto-cam', reconnectPeriod: 0 });
    let seq = 1;
    const send = (faces: number): Promise<unknown> =>
      client!.publishAsync(
        topicFor('snapshot', 'auto-cam'),
        snapshotPayload(makeSnapshot('auto-cam', 'auto-room', seq++, faces)),
        { qos: 1 },
      );
    await send(4);
    const started = await waitFor(
      async () =>
        (await cloud.api<{ id: string; source: string; status: string }[]>('/api/sessions?roomId=auto-room', { token }))
          .body[0],
      5000,
      'auto session',
    );
    expect(started).toMatchObject({ source: 'auto', status: 'active' });
    await send(4);
    await send(0);
    await new Promise((r) => setTimeout(r, 1100));
    await cloud.app.get(SessionsService).tick();
    const ended = (
      await cloud.api<{ id: string; status: string; endedAt: number }[]>('/api/sessions?roomId=auto-room', { token })
    ).body[0]!;
    expect(ended).toMatchObject({ id: started.id, status: 'ended' });
    const report = await cloud.api<Report>(`/api/sessions/${started.id}/report`, { token });
    expect(report.status).toBe(200);
    expect(report.body.session.source).toBe('auto');
  });

  it('after a stop by hand, waits for the room to empty before starting another auto session', async () => {
    const token = await cloud.login();
    const creds = await provisionDevice(cloud, { id: 'held-cam', roomId: 'held-room', roomName: 'Held' });
    const held = await connectAsync(cloud.mqttUrl, { ...creds, clientId: 'held-cam', reconnectPeriod: 0 });
    try {
      let seq = 1;
      const send = (faces: number): Promise<unknown> =>
        held.publishAsync(
          topicFor('snapshot', 'held-cam'),
          snapshotPayload(makeSnapshot('held-cam', 'held-room', seq++, faces)),
          { qos: 1 },
        );
      const sessions = async () =>
        (await cloud.api<{ id: string; status: string }[]>('/api/sessions?roomId=held-room', { token })).body;
      await send(5);
      const first = await waitFor(async () => (await sessions())[0], 5000, 'first auto session');
      const stopped = await cloud.api(`/api/sessions/${first.id}/stop`, { token, method: 'POST' });
      expect(stopped.status).toBe(201);

      // The audience is still there after the stop: several snapshots with faces, and no new session.
      for (let i = 0; i < 4; i++) await send(5);
      const stored = () => cloud.app.get(DataSource).getRepository(SnapshotEntity).countBy({ deviceId: 'held-cam' });
      await waitFor(async () => ((await stored()) === 5 ? true : undefined), 5000, 'five stored snapshots');
      await cloud.app.get(SessionsService).tick();
      expect((await sessions()).map((s) => s.status)).toEqual(['ended']);

      // Once the room has been empty, people arriving start the next one.
      await send(0);
      await send(5);
      const second = await waitFor(
        async () => (await sessions()).find((s) => s.status === 'active'),
        5000,
        'second auto session',
      );
      expect(second.id).not.toBe(first.id);
    } finally {
      await held.endAsync(true);
    }
  });
});
