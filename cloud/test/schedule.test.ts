import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { ReportEntity, SessionsService } from '../src';
import { startTestCloud, type TestCloud } from './helpers/cloud';
import { announceSkip, DB_TARGETS } from './helpers/targets';

interface SessionView {
  id: string;
  title: string;
  source: string;
  status: string;
  startedAt: number;
  endedAt: number | null;
}
interface ScheduleView {
  roomId: string;
  defaultTimeZone: string;
  slots: { weekday: number; start: string; end: string; timeZone: string | null; title: string | null }[];
}

// Monday 2026-01-05 in Berlin (UTC+1 in winter): 09:00-10:30 local is 08:00-09:30 UTC.
const utc = (h: number, m: number, s = 0): number => Date.UTC(2026, 0, 5, h, m, s);
const SLOTS = [
  { weekday: 1, start: '09:00', end: '10:30', timeZone: 'Europe/Berlin', title: 'Algebra' },
  { weekday: 1, start: '11:00', end: '12:00', timeZone: 'Europe/Berlin' },
];

for (const target of DB_TARGETS) {
  announceSkip('scheduled sessions', target);
  describe.skipIf(target.skip)(`room timetable and scheduled sessions on ${target.db}`, () => {
    let cloud: TestCloud;
    let admin: string;
    let sessions: SessionsService;
    let fakeNow = utc(7, 0);
    const run = randomBytes(3).toString('hex');
    const room = `sched-${run}`;

    /** Moves the cloud's clock (background timer included) and runs the session tick at that instant. */
    const at = async (t: number): Promise<void> => {
      fakeNow = t;
      await sessions.tick(t);
    };
    const list = async (): Promise<SessionView[]> =>
      (await cloud.api<SessionView[]>(`/api/sessions?roomId=${room}`, { token: admin })).body;

    beforeAll(async () => {
      cloud = await startTestCloud({ db: target.db });
      sessions = cloud.app.get(SessionsService);
      sessions.useClock(() => fakeNow);
      admin = await cloud.login();
      const created = await cloud.api('/api/rooms', {
        method: 'POST',
        token: admin,
        body: { id: room, name: 'Schedule room', buildingName: 'Main' },
      });
      expect(created.status).toBe(201);
    });
    afterAll(async () => {
      await cloud?.stop();
    });

    it('stores a timetable that admins write and the room speaker reads, rejecting bad slots clearly', async () => {
      const put = await cloud.api<ScheduleView>(`/api/rooms/${room}/schedule`, {
        method: 'PUT',
        token: admin,
        body: { slots: SLOTS },
      });
      expect(put.status).toBe(200);
      expect(put.body.slots).toEqual([
        { ...SLOTS[0], timeZone: 'Europe/Berlin' },
        { ...SLOTS[1], title: null },
      ]);

      const bad = await cloud.api<{ message: string }>(`/api/rooms/${room}/schedule`, {
        method: 'PUT',
        token: admin,
        body: {
          slots: [
            { weekday: 7, start: '9:00', end: '10:00', timeZone: 'Mars/Olympus' },
            { weekday: 2, start: '10:00', end: '09:00' },
            { weekday: 3, start: '10:00', end: '11:00' },
            { weekday: 3, start: '10:30', end: '12:00' },
          ],
        },
      });
      expect(bad.status).toBe(400);
      for (const part of ['slots.0.weekday', 'slots.0.start', 'slots.0.timeZone', 'slots.1.end', 'slots.3: overlaps'])
        expect(bad.body.message).toContain(part);
      // A rejected timetable leaves the stored one untouched.
      const kept = await cloud.api<ScheduleView>(`/api/rooms/${room}/schedule`, { token: admin });
      expect(kept.body.slots).toHaveLength(2);
      expect((await cloud.api(`/api/rooms/no-such-${run}/schedule`, { token: admin })).status).toBe(404);

      for (const u of [
        { username: `own-${run}`, roomIds: [room] },
        { username: `other-${run}`, roomIds: ['elsewhere'] },
      ]) {
        const body = { ...u, password: 'speaker-password', role: 'speaker' };
        expect((await cloud.api('/api/users', { method: 'POST', token: admin, body })).status).toBe(201);
      }
      const own = await cloud.login(`own-${run}`, 'speaker-password');
      const other = await cloud.login(`other-${run}`, 'speaker-password');
      const read = await cloud.api<ScheduleView>(`/api/rooms/${room}/schedule`, { token: own });
      expect(read.status).toBe(200);
      expect(read.body.slots.map((s) => s.start)).toEqual(['09:00', '11:00']);
      expect((await cloud.api(`/api/rooms/${room}/schedule`, { token: other })).status).toBe(403);
      const speakerPut = await cloud.api(`/api/rooms/${room}/schedule`, {
        method: 'PUT',
        token: own,
        body: { slots: [] },
      });
      expect(speakerPut.status).toBe(403);

      // Documented in the OpenAPI spec, with the body's JSON schema.
      const spec = await cloud.api<{ paths: Record<string, Record<string, { requestBody?: unknown }>> }>(
        '/api/docs-json',
        { token: admin },
      );
      const path = spec.body.paths['/api/rooms/{id}/schedule']!;
      expect(Object.keys(path).sort()).toEqual(['get', 'put']);
      expect(JSON.stringify(path.put!.requestBody)).toContain('"weekday"');
    });

    it('starts a schedule session at slot start, keeps exactly one, ends it at slot end with a report', async () => {
      await at(utc(7, 59, 59));
      expect(await list()).toEqual([]);

      await at(utc(8, 0));
      await at(utc(8, 0, 5));
      await at(utc(9, 29, 59));
      const running = await list();
      expect(running).toHaveLength(1);
      expect(running[0]).toMatchObject({
        source: 'schedule',
        status: 'active',
        title: 'Algebra',
        startedAt: utc(8, 0),
        endedAt: null,
      });

      await at(utc(9, 30));
      const [ended] = await list();
      expect(ended).toMatchObject({ id: running[0]!.id, status: 'ended', endedAt: utc(9, 30) });
      const report = await cloud.api<{ session: { id: string; source: string } }>(`/api/sessions/${ended!.id}/report`, {
        token: admin,
      });
      expect(report.status).toBe(200);
      expect(report.body.session).toMatchObject({ id: ended!.id, source: 'schedule' });
      const stored = await cloud.app.get(DataSource).getRepository(ReportEntity).findOneBy({ sessionId: ended!.id });
      expect(stored).not.toBeNull();

      // Between slots nothing restarts.
      await at(utc(9, 45));
      expect(await list()).toHaveLength(1);
    });

    it('lets a manual start during a slot win, and does not restart the slot after the speaker stops', async () => {
      await at(utc(10, 0));
      const scheduled = (await list()).find((s) => s.status === 'active');
      expect(scheduled).toMatchObject({ source: 'schedule', startedAt: utc(10, 0) });

      fakeNow = utc(10, 5);
      const manual = await cloud.api<SessionView>(`/api/rooms/${room}/sessions`, {
        method: 'POST',
        token: admin,
        body: { title: 'Guest talk' },
      });
      expect(manual.status).toBe(201);
      expect(manual.body).toMatchObject({ source: 'manual', startedAt: utc(10, 5) });
      await at(utc(10, 6));
      const during = await list();
      expect(during.filter((s) => s.status === 'active').map((s) => s.id)).toEqual([manual.body.id]);
      expect(during.find((s) => s.id === scheduled!.id)).toMatchObject({ status: 'ended', endedAt: utc(10, 5) });

      fakeNow = utc(10, 20);
      const stop = await cloud.api(`/api/sessions/${manual.body.id}/stop`, { method: 'POST', token: admin });
      expect(stop.status).toBe(201);
      await at(utc(10, 21));
      await at(utc(10, 59));
      await at(utc(11, 0));
      const after = await list();
      expect(after).toHaveLength(3);
      expect(after.every((s) => s.status === 'ended')).toBe(true);
    });

    it('ends a running schedule session when its timetable is cleared', async () => {
      const nextMonday = utc(8, 0) + 7 * 86_400_000;
      await at(nextMonday);
      const running = (await list()).find((s) => s.status === 'active');
      expect(running).toMatchObject({ source: 'schedule', startedAt: nextMonday });
      const cleared = await cloud.api<ScheduleView>(`/api/rooms/${room}/schedule`, {
        method: 'PUT',
        token: admin,
        body: { slots: [] },
      });
      expect(cleared.body.slots).toEqual([]);
      await at(nextMonday + 60_000);
      expect((await list()).find((s) => s.id === running!.id)).toMatchObject({
        status: 'ended',
        endedAt: nextMonday + 60_000,
      });
    });
  });
}
