import { randomBytes } from 'node:crypto';
import { topicFor, type Snapshot } from '@lectern/protocol';
import { connectAsync, type MqttClient } from 'mqtt';
import { DataSource, MoreThan } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AggregateEntity,
  AggregationService,
  LiveService,
  MetricsService,
  RejectedSnapshotEntity,
  SnapshotEntity,
  provisionDevice,
  type CloudConfig,
} from '../src';
import { EventBus } from '../src/common/event-bus';
import { startTestCloud, type TestCloud } from './helpers/cloud';
import { makeSnapshot, snapshotPayload } from './helpers/snapshots';
import { announceSkip, DB_TARGETS } from './helpers/targets';

/**
 * Issue 12 part 2: a re-imaged device (seq from 0 again) is stored, and no seq or capture time a device
 * sends can freeze its live view or its room's timeline; absurd ones are refused with a counted reason.
 */

const YEAR_MS = 365 * 86_400_000;

describe('live view: sequence epochs and recovery (no cloud)', () => {
  const live = () => new LiveService({ minGroupSize: 1 } as CloudConfig, new EventBus());
  const snap = (seq: number, capturedAt: number, faces: number, epoch?: number) =>
    makeSnapshot('cam', 'hall', seq, faces, { capturedAt, ...(epoch !== undefined ? { epoch } : {}) });
  const t0 = Date.UTC(2026, 11, 1, 9);

  it('follows a new epoch that counts from 0 again, and never rewinds to an older snapshot', () => {
    const l = live();
    expect(l.accept(snap(500, t0, 4, 11), 'hall', t0)?.faces).toBe(4);
    expect(l.accept(snap(499, t0 + 500, 9, 11), 'hall', t0 + 500)).toBeNull();
    expect(l.accept(snap(0, t0 + 1000, 6, 22), 'hall', t0 + 1000)?.faces).toBe(6);
    expect(l.accept(snap(1, t0 + 2000, 7, 22), 'hall', t0 + 2000)?.faces).toBe(7);
    // A late redelivery from the old epoch is older than what the view shows.
    expect(l.accept(snap(501, t0 + 900, 9, 11), 'hall', t0 + 2100)).toBeNull();
  });

  it('is not frozen by an absurd seq: after 10 s without progress it follows the next fresh snapshot', () => {
    const l = live();
    expect(l.accept({ ...snap(1, t0, 4), seq: 8.64e15 }, 'hall', t0)?.faces).toBe(4);
    expect(l.accept(snap(1, t0 + 5000, 5), 'hall', t0 + 5000)).toBeNull();
    // A stale replay does not take over either; a fresh snapshot does.
    expect(l.accept(snap(2, t0 - 60_000, 5), 'hall', t0 + 11_000)).toBeNull();
    expect(l.accept(snap(3, t0 + 11_000, 5), 'hall', t0 + 11_000)?.faces).toBe(5);
    expect(l.accept(snap(4, t0 + 12_000, 6), 'hall', t0 + 12_000)?.faces).toBe(6);
  });

  it('never stamps a room later than the cloud clock', () => {
    const l = live();
    expect(l.accept(snap(1, t0 + 120_000, 4), 'hall', t0)?.ts).toBe(t0);
  });
});

for (const target of DB_TARGETS) {
  announceSkip('snapshot sanity', target);
  describe.skipIf(target.skip)(`snapshot sanity on ${target.db}`, () => {
    let cloud: TestCloud;
    const run = randomBytes(3).toString('hex');
    const room = `sane-${run}`;
    const clients: MqttClient[] = [];

    const device = async (id: string, roomId = room) => {
      const creds = await provisionDevice(cloud, { id, roomId, roomName: `Room ${roomId}` });
      const c = await connectAsync(cloud.mqttUrl, { ...creds, clientId: id, reconnectPeriod: 0 });
      clients.push(c);
      // Resolves once the cloud acknowledged: committed, or dead-lettered with its reason.
      return (s: Snapshot) => c.publishAsync(topicFor('snapshot', id), snapshotPayload(s), { qos: 1 });
    };
    const stored = (deviceId: string) =>
      cloud.app
        .get(DataSource)
        .getRepository(SnapshotEntity)
        .find({ where: { deviceId }, order: { id: 'ASC' } });
    const rejected = (deviceId: string) =>
      cloud.app.get(DataSource).getRepository(RejectedSnapshotEntity).find({ where: { deviceId } });
    const liveFaces = (roomId = room) => cloud.app.get(LiveService).get(roomId)?.faces;

    beforeAll(async () => {
      cloud = await startTestCloud({ db: target.db });
    });
    afterAll(async () => {
      for (const c of clients) await c.endAsync();
      await cloud?.stop();
    });

    it("stores a re-imaged device's new epoch from seq 0 instead of discarding it as replays", async () => {
      const id = `reimaged-${run}`;
      const send = await device(id);
      const t0 = Date.now() - 20_000;
      const before = [0, 1, 2, 3, 4].map((seq) =>
        makeSnapshot(id, room, seq, 4, { epoch: 1111, capturedAt: t0 + seq }),
      );
      // Re-imaged: a new outbox, a new epoch, seq from 0 again.
      const after = [0, 1, 2, 3, 4].map((seq) => makeSnapshot(id, room, seq, 6, { epoch: 2222 }));
      for (const s of [...before, ...after]) await send(s);
      const rows = await stored(id);
      expect(rows.map((r) => `${r.epoch}:${r.seq}`)).toEqual([
        ...[0, 1, 2, 3, 4].map((q) => `1111:${q}`),
        ...[0, 1, 2, 3, 4].map((q) => `2222:${q}`),
      ]);
      expect(liveFaces()).toBe(6);
      // Redeliveries are still stored once, per epoch, and do not rewind the live view.
      await send(after[3]!);
      await send(before[3]!);
      expect(await stored(id)).toHaveLength(10);
      expect(liveFaces()).toBe(6);
    });

    it('refuses absurd seqs and capture times with a counted reason; neither freezes the device nor the room', async () => {
      const id = `absurd-${run}`;
      const room = `absurd-room-${run}`;
      const send = await device(id, room);
      const metrics = cloud.app.get(MetricsService);
      const before = await metrics.rejectedByReason();
      for (let seq = 1; seq <= 3; seq++) await send(makeSnapshot(id, room, seq, 4, { epoch: 7 }));
      const now = Date.now();
      await send({ ...makeSnapshot(id, room, 4, 9, { epoch: 7 }), seq: 8.64e15 });
      await send(makeSnapshot(id, room, 4, 9, { epoch: 7, capturedAt: now + 10 * YEAR_MS }));
      await send(makeSnapshot(id, room, 5, 9, { epoch: 7, capturedAt: 0 }));
      // The device goes on normally: stored, and the live view follows at once.
      await send(makeSnapshot(id, room, 6, 2, { epoch: 7 }));
      expect((await stored(id)).map((r) => r.seq)).toEqual([1, 2, 3, 6]);
      expect(liveFaces(room)).toBe(2);
      const dead = await rejected(id);
      expect(dead.map((r) => r.seq).sort((a, b) => Number(a) - Number(b))).toEqual([4, 5, 8.64e15]);
      expect(dead.find((r) => Number(r.seq) === 4)?.reason).toMatch(/ahead of the cloud's clock/);
      expect(dead.find((r) => Number(r.seq) === 5)?.reason).toMatch(/before the snapshot retention of 30 days/);
      expect(dead.find((r) => Number(r.seq) === 8.64e15)?.reason).toMatch(/jumps/);
      const after = await metrics.rejectedByReason();
      for (const reason of ['seq-jump', 'clock-ahead', 'clock-behind'])
        expect((after[reason] ?? 0) - (before[reason] ?? 0), reason).toBe(1);
      // The room's timeline holds no bucket ahead of the present.
      await cloud.app.get(AggregationService).flushAll();
      const future = await cloud.app
        .get(DataSource)
        .getRepository(AggregateEntity)
        .count({ where: { roomId: room, ts: MoreThan(Date.now() + 1000) } });
      expect(future).toBe(0);
    });

    it('counts the listeners the cloud received for the minimum group size, not the count a device claims', async () => {
      const id = `claims-${run}`;
      const other = `claims-room-${run}`;
      const send = await device(id, other);
      // Eight faces claimed as read, but only one listener's track sent: K = 3 must hide the emotions.
      const s = makeSnapshot(id, other, 1, 8, { tooSmall: 0 });
      await send({ ...s, tracks: s.tracks.slice(0, 1) });
      const agg = cloud.app.get(LiveService).get(other);
      expect(agg).toMatchObject({ faces: 8, read: 1, suppressed: true, distribution: null, valence: null });
      expect(agg?.tracks).toEqual([]);
      // Honest: eight tracks for eight read faces.
      await send(makeSnapshot(id, other, 2, 8, { tooSmall: 0 }));
      expect(cloud.app.get(LiveService).get(other)).toMatchObject({ read: 8, suppressed: false });
    });
  });
}
