import { randomBytes } from 'node:crypto';
import { topicFor } from '@lectern/protocol';
import { connectAsync, type MqttClient } from 'mqtt';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AggregateEntity, AggregationService, SnapshotEntity, provisionDevice } from '../src';
import { defaultSessionTitle } from '../src/sessions/session-title';
import { startTestCloud, type TestCloud } from './helpers/cloud';
import { makeSnapshot, snapshotPayload } from './helpers/snapshots';
import { announceSkip, DB_TARGETS } from './helpers/targets';

interface SessionBody {
  id: string;
  title: string;
  status: string;
}
interface AuditBody {
  username: string;
  action: string;
  target: string;
  detail: unknown;
}

describe('session titles', () => {
  it('name the room and the local start time', () => {
    const at = Date.UTC(2026, 11, 1, 13, 3);
    expect(defaultSessionTitle('Hörsaal 1', at, 'Europe/Berlin')).toBe('Hörsaal 1 · Tue, 1 Dec 2026, 14:03');
    expect(defaultSessionTitle('Hall A', at, 'UTC')).toBe('Hall A · Tue, 1 Dec 2026, 13:03');
  });
});

for (const target of DB_TARGETS) {
  announceSkip('session rename, delete and audit filters', target);
  describe.skipIf(target.skip)(`session rename, delete and audit filters on ${target.db}`, () => {
    let cloud: TestCloud;
    let admin: string;
    const run = randomBytes(3).toString('hex');
    const room = `hall-${run}`;
    const clients: MqttClient[] = [];

    beforeAll(async () => {
      cloud = await startTestCloud({ db: target.db });
      admin = await cloud.login();
    });
    afterAll(async () => {
      for (const c of clients) await c.endAsync();
      await cloud?.stop();
    });

    it('names a session after its room, renames it, refuses to delete it while recording, then deletes its data', async () => {
      const id = `cam-${run}`;
      const creds = await provisionDevice(cloud, { id, roomId: room, roomName: `Hörsaal ${run}` });
      const c = await connectAsync(cloud.mqttUrl, { ...creds, clientId: id, reconnectPeriod: 0 });
      clients.push(c);
      const started = await cloud.api<SessionBody>(`/api/rooms/${room}/sessions`, {
        method: 'POST',
        body: {},
        token: admin,
      });
      expect(started.status).toBe(201);
      expect(started.body.title).toMatch(
        new RegExp(`^Hörsaal ${run} · \\w{3}, \\d{1,2} \\w{3} \\d{4}, \\d{2}:\\d{2}$`),
      );
      const sid = started.body.id;
      for (let seq = 1; seq <= 5; seq++) {
        await c.publishAsync(topicFor('snapshot', id), snapshotPayload(makeSnapshot(id, room, seq, 4)), { qos: 1 });
      }

      const tooLong = await cloud.api<{ message: string }>(`/api/sessions/${sid}`, {
        method: 'PATCH',
        body: { title: 'x'.repeat(201) },
        token: admin,
      });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.message).toMatch(/at most 200 characters; shorten it/);
      const renamed = await cloud.api<SessionBody>(`/api/sessions/${sid}`, {
        method: 'PATCH',
        body: { title: '  Algebra, week 3 ' },
        token: admin,
      });
      expect(renamed).toMatchObject({ status: 200, body: { title: 'Algebra, week 3' } });

      const refused = await cloud.api<{ message: string }>(`/api/sessions/${sid}`, { method: 'DELETE', token: admin });
      expect(refused.status).toBe(409);
      expect(refused.body.message).toBe(
        '"Algebra, week 3" is still recording. Stop the session first, then delete it.',
      );

      await cloud.api(`/api/sessions/${sid}/stop`, { method: 'POST', token: admin });
      await cloud.app.get(AggregationService).flushAll();
      const ds = cloud.app.get(DataSource);
      expect(await ds.getRepository(SnapshotEntity).countBy({ sessionId: sid })).toBe(5);
      expect(await ds.getRepository(AggregateEntity).countBy({ sessionId: sid })).toBeGreaterThan(0);

      const gone = await cloud.api(`/api/sessions/${sid}`, { method: 'DELETE', token: admin });
      expect(gone.status).toBe(204);
      expect((await cloud.api(`/api/sessions/${sid}/report`, { token: admin })).status).toBe(404);
      expect(await ds.getRepository(SnapshotEntity).countBy({ sessionId: sid })).toBe(0);
      expect(await ds.getRepository(AggregateEntity).countBy({ sessionId: sid })).toBe(0);

      // The audit log has each step, and its filters find them.
      const sessionActions = await cloud.api<AuditBody[]>(`/api/audit?action=session.&target=session:${sid}`, {
        token: admin,
      });
      expect(sessionActions.body.map((a) => a.action)).toEqual([
        'session.delete',
        'session.stop',
        'session.rename',
        'session.start',
      ]);
      expect(sessionActions.body[2]!.detail).toEqual({ from: started.body.title, to: 'Algebra, week 3' });
      const byOther = await cloud.api<AuditBody[]>('/api/audit?username=nobody', { token: admin });
      expect(byOther.body).toEqual([]);
      const future = await cloud.api<AuditBody[]>(`/api/audit?from=${Date.now() + 60_000}`, { token: admin });
      expect(future.body).toEqual([]);
      const wildcard = await cloud.api<{ message: string }>('/api/audit?action=%25', { token: admin });
      expect(wildcard.status).toBe(400);
    });

    it('lets only admins delete sessions and only speakers of the room rename them', async () => {
      const other = `other-${run}`;
      await cloud.api('/api/rooms', {
        method: 'POST',
        body: { id: other, name: 'Other', buildingName: 'Main' },
        token: admin,
      });
      const s = await cloud.api<SessionBody>(`/api/rooms/${other}/sessions`, {
        method: 'POST',
        body: {},
        token: admin,
      });
      await cloud.api(`/api/sessions/${s.body.id}/stop`, { method: 'POST', token: admin });
      const pw = 'speaker-password-1';
      const made = await cloud.api('/api/users', {
        method: 'POST',
        body: { username: `spk-${run}`, password: pw, role: 'speaker', roomIds: [room] },
        token: admin,
      });
      expect(made.status).toBe(201);
      const speaker = await cloud.login(`spk-${run}`, pw);
      const rename = await cloud.api(`/api/sessions/${s.body.id}`, {
        method: 'PATCH',
        body: { title: 'mine now' },
        token: speaker,
      });
      expect(rename.status).toBe(403);
      expect((await cloud.api(`/api/sessions/${s.body.id}`, { method: 'DELETE', token: speaker })).status).toBe(403);
      expect((await cloud.api('/api/audit', { token: speaker })).status).toBe(403);
    });
  });
}
