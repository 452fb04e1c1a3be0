import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEntity } from '../src';
import { startTestCloud, type TestCloud } from './helpers/cloud';

interface ErrorBody {
  statusCode: number;
  message: string;
  error: string;
}

describe('REST API: auth, roles, validation, devices, ops', () => {
  let cloud: TestCloud;
  let admin: string;
  const run = randomBytes(3).toString('hex');

  beforeAll(async () => {
    cloud = await startTestCloud();
    admin = await cloud.login();
    for (const id of ['room-a', 'room-b']) {
      const r = await cloud.api('/api/rooms', {
        method: 'POST',
        token: admin,
        body: { id, name: id.toUpperCase(), buildingName: 'Main' },
      });
      expect(r.status).toBe(201);
    }
  });
  afterAll(async () => {
    await cloud?.stop();
  });

  it('logs in with hashed passwords and answers /api/me; wrong credentials get a clear 401', async () => {
    const r = await cloud.api<{ token: string; user: { username: string; role: string; roomIds: string[] } }>(
      '/api/auth/login',
      {
        method: 'POST',
        body: { username: 'admin', password: 'test-admin-password' },
      },
    );
    expect(r.status).toBe(200);
    expect(r.body.user).toMatchObject({ username: 'admin', role: 'admin', roomIds: [] });
    const me = await cloud.api<{ username: string }>('/api/me', { token: r.body.token });
    expect(me.body.username).toBe('admin');
    const bad = await cloud.api<ErrorBody>('/api/auth/login', {
      method: 'POST',
      body: { username: 'admin', password: 'nope' },
    });
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ statusCode: 401, message: 'wrong username or password', error: 'Unauthorized' });
    expect((await cloud.api('/api/rooms')).status).toBe(401);
    expect((await cloud.api('/api/rooms', { token: 'garbage' })).status).toBe(401);
  });

  it('rejects invalid bodies with 400 and a message naming the field', async () => {
    const r = await cloud.api<ErrorBody>('/api/users', {
      method: 'POST',
      token: admin,
      body: { username: 'x y', password: 'short', role: 'root' },
    });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/username/);
    expect(r.body.message).toMatch(/password/);
    expect(r.body.message).toMatch(/role/);
    const room = await cloud.api<ErrorBody>('/api/rooms', {
      method: 'POST',
      token: admin,
      body: { id: 'Bad Id', name: 'x', buildingName: 'y' },
    });
    expect(room.status).toBe(400);
    expect(room.body.message).toMatch(/id: must be a lowercase slug/);
  });

  it('scopes speakers to their rooms and installers to devices', async () => {
    for (const u of [
      { username: `spk-${run}`, password: 'speaker-password', role: 'speaker', roomIds: ['room-a'] },
      { username: `inst-${run}`, password: 'installer-password', role: 'installer', roomIds: [] },
    ]) {
      expect((await cloud.api('/api/users', { method: 'POST', token: admin, body: u })).status).toBe(201);
    }
    expect(
      (
        await cloud.api<ErrorBody>('/api/users', {
          method: 'POST',
          token: admin,
          body: { username: `spk-${run}`, password: 'speaker-password', role: 'speaker' },
        })
      ).status,
    ).toBe(409);
    const speaker = await cloud.login(`spk-${run}`, 'speaker-password');
    const installer = await cloud.login(`inst-${run}`, 'installer-password');

    const rooms = await cloud.api<{ id: string }[]>('/api/rooms', { token: speaker });
    expect(rooms.body.map((r) => r.id)).toEqual(['room-a']);
    expect((await cloud.api(`/api/rooms/room-b/timeline`, { token: speaker })).status).toBe(403);
    expect((await cloud.api(`/api/rooms/room-b/live?token=${speaker}`)).status).toBe(403);
    expect((await cloud.api(`/api/rooms/room-a/timeline`, { token: speaker })).status).toBe(200);
    expect((await cloud.api('/api/devices', { token: speaker })).status).toBe(403);
    expect((await cloud.api('/api/users', { token: speaker })).status).toBe(403);
    expect((await cloud.api('/api/rooms/room-b/sessions', { method: 'POST', token: speaker, body: {} })).status).toBe(
      403,
    );

    // Installers see rooms (without audience data) and manage devices, nothing else.
    const instRooms = await cloud.api<{ id: string; live: unknown }[]>('/api/rooms', { token: installer });
    expect(instRooms.body.map((r) => r.id)).toEqual(['room-a', 'room-b']);
    const created = await cloud.api<{
      device: { id: string; status: string };
      credentials: { username: string; password: string };
      mqttUrl: string;
      configYaml: string;
      qrPng: string;
    }>('/api/devices', {
      method: 'POST',
      token: installer,
      body: { id: `cam-${run}`, roomId: 'room-b' },
    });
    expect(created.status).toBe(201);
    expect(created.body.device).toMatchObject({ id: `cam-${run}`, status: 'never' });
    expect(created.body.credentials.username).toBe(`cam-${run}`);
    expect(created.body.credentials.password.length).toBeGreaterThanOrEqual(20);
    expect(created.body.mqttUrl).toBe(cloud.mqttUrl);
    expect(created.body.configYaml).toContain(`password: "${created.body.credentials.password}"`);
    expect(created.body.qrPng).toMatch(/^data:image\/png;base64,/);
    expect(Buffer.from(created.body.qrPng.split(',')[1]!, 'base64').subarray(1, 4).toString()).toBe('PNG');
    expect(
      (
        await cloud.api('/api/devices', {
          method: 'POST',
          token: installer,
          body: { id: `cam-${run}`, roomId: 'room-b' },
        })
      ).status,
    ).toBe(409);
    expect(
      (
        await cloud.api('/api/devices', {
          method: 'POST',
          token: installer,
          body: { id: `cam2-${run}`, roomId: 'nowhere' },
        })
      ).status,
    ).toBe(400);
    expect((await cloud.api('/api/devices', { token: installer })).status).toBe(200);
    expect(
      (await cloud.api(`/api/devices/cam-${run}/config`, { method: 'PUT', token: installer, body: {} })).status,
    ).toBe(403);
    expect((await cloud.api('/api/sessions', { token: installer })).status).toBe(403);
    expect(
      (await cloud.api('/api/rooms', { method: 'POST', token: installer, body: { name: 'x', buildingName: 'y' } }))
        .status,
    ).toBe(403);
  });

  it('records an audit trail of views, exports and changes', async () => {
    const rows = await cloud.app.get(DataSource).getRepository(AuditEntity).find();
    const actions = new Set(rows.map((r) => r.action));
    for (const a of ['login', 'room.create', 'user.create', 'device.create', 'timeline.view'])
      expect(actions).toContain(a);
    expect(rows.find((r) => r.action === 'device.create')?.username).toBe(`inst-${run}`);
    // Admins read the trail over the API, newest first; nobody else may.
    const listed = await cloud.api<{ action: string; ts: number }[]>('/api/audit?limit=5', { token: admin });
    expect(listed.status).toBe(200);
    expect(listed.body).toHaveLength(5);
    expect(listed.body.map((r) => r.ts)).toEqual([...listed.body.map((r) => r.ts)].sort((a, b) => b - a));
    const installer = await cloud.login(`inst-${run}`, 'installer-password');
    expect((await cloud.api('/api/audit', { token: installer })).status).toBe(403);
    expect((await cloud.api('/api/audit?limit=0', { token: admin })).status).toBe(400);
  });

  it('serves health to anyone, Prometheus metrics and Swagger UI to admins only (by default)', async () => {
    expect(await cloud.api('/api/health')).toEqual({ status: 200, body: { status: 'ok', db: 'ok', mqtt: 'ok' } });
    expect((await fetch(`${cloud.httpUrl}/metrics`)).status).toBe(401);
    const installer = await cloud.login(`inst-${run}`, 'installer-password');
    expect((await cloud.api('/metrics', { token: installer })).status).toBe(403);
    const metrics = await fetch(`${cloud.httpUrl}/metrics`, { headers: { authorization: `Bearer ${admin}` } }).then(
      (r) => r.text(),
    );
    for (const m of [
      'lectern_ingest_received_total',
      'lectern_ingest_queue_depth',
      'lectern_job_queue_depth',
      'lectern_ingest_lag_seconds',
    ])
      expect(metrics).toContain(m);
    expect((await fetch(`${cloud.httpUrl}/api/docs`)).status).toBe(401);
    expect((await cloud.api('/api/docs-json')).status).toBe(401);
    expect((await cloud.api('/api/docs-json', { token: installer })).status).toBe(403);
    const docs = await fetch(`${cloud.httpUrl}/api/docs`, { headers: { authorization: `Bearer ${admin}` } });
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');
    const spec = await cloud.api<{ paths: Record<string, unknown> }>('/api/docs-json', { token: admin });
    expect(Object.keys(spec.body.paths)).toContain('/api/rooms/{id}/live');
  });

  it('rate-limits failed login attempts per client', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++)
      statuses.push(
        (await cloud.api('/api/auth/login', { method: 'POST', body: { username: 'admin', password: `guess-${i}` } }))
          .status,
      );
    // One failure happened in the first test; 10 per minute are allowed, then 429.
    expect(statuses.filter((s) => s === 401)).toHaveLength(9);
    expect(statuses.slice(9)).toEqual([429, 429, 429]);
    const blocked = await cloud.api<ErrorBody>('/api/auth/login', {
      method: 'POST',
      body: { username: 'admin', password: 'test-admin-password' },
    });
    expect(blocked.status).toBe(429);
    expect(blocked.body.message).toMatch(/too many failed logins/);
  });
});
