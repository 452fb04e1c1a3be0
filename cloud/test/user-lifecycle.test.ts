import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPasswordFile, dropPgSchema, startCloud, type CloudHandle } from '../src';
import { PG_URL } from './helpers/cloud';
import { announceSkip, DB_TARGETS } from './helpers/targets';

// Issue 14 part 5: users renamed, re-roled and deleted; passwords changed by their owner and reset by an admin;
// the generated first-run admin password must be changed at first login. Every change audited.

interface LoginBody {
  token: string;
  user: { id: string; username: string; role: string; roomIds: string[]; mustChangePassword?: boolean };
}

for (const target of DB_TARGETS) {
  announceSkip('user lifecycle', target);
  describe.skipIf(target.skip)(`user lifecycle (${target.db})`, () => {
    let cloud: CloudHandle;
    let dataDir: string;
    let schema: string | null = null;
    let generated: string;
    let admin: string;

    const api = async <T = unknown>(
      path: string,
      init: { method?: string; body?: unknown; token?: string } = {},
    ): Promise<{ status: number; body: T }> => {
      const res = await fetch(`${cloud.httpUrl}${path}`, {
        method: init.method ?? 'GET',
        headers: {
          ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
    };
    const login = (username: string, password: string) =>
      api<LoginBody>('/api/auth/login', { method: 'POST', body: { username, password } });

    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'lectern-users-'));
      // No LECTERN_ADMIN_PASSWORD: the first run generates one, as `npm start` and a fresh install do.
      const env: Record<string, string> = {
        LECTERN_HTTP_PORT: '0',
        LECTERN_MQTT_PORT: 'auto',
        LECTERN_DATA_DIR: dataDir,
        LECTERN_LOG_LEVEL: 'error',
        LECTERN_WEB_DIR: join(dataDir, 'no-web'),
      };
      if (target.db === 'postgres') {
        schema = `t_${randomBytes(6).toString('hex')}`;
        const u = new URL(PG_URL!);
        u.searchParams.set('schema', schema);
        env.LECTERN_DB_URL = u.toString();
      }
      const saved = process.env.LECTERN_ADMIN_PASSWORD;
      delete process.env.LECTERN_ADMIN_PASSWORD;
      try {
        cloud = await startCloud(env);
      } finally {
        if (saved !== undefined) process.env.LECTERN_ADMIN_PASSWORD = saved;
      }
      generated = cloud.generatedAdminPassword!;
      expect(generated).toBeTruthy();
    });
    afterAll(async () => {
      await cloud?.close();
      if (schema && PG_URL) await dropPgSchema(PG_URL, schema);
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('makes the admin change a generated password before anything else', async () => {
      const first = await login('admin', generated);
      expect(first.status).toBe(200);
      expect(first.body.user.mustChangePassword).toBe(true);
      const token = first.body.token;
      const blocked = await api<{ message: string }>('/api/rooms', { token });
      expect(blocked.status).toBe(403);
      expect(blocked.body.message).toMatch(/choose your own first/);
      expect((await api<{ mustChangePassword: boolean }>('/api/me', { token })).body.mustChangePassword).toBe(true);

      const wrong = await api<{ message: string }>('/api/auth/password', {
        method: 'POST',
        token,
        body: { currentPassword: 'not-it-at-all', newPassword: 'a-new-admin-password' },
      });
      expect(wrong.status).toBe(400);
      expect(wrong.body.message).toBe('The current password is wrong: type the password you logged in with.');
      const short = await api<{ message: string }>('/api/auth/password', {
        method: 'POST',
        token,
        body: { currentPassword: generated, newPassword: 'short' },
      });
      expect(short.status).toBe(400);
      expect(short.body.message).toBe('The new password must be at least 8 characters long.');
      const same = await api<{ message: string }>('/api/auth/password', {
        method: 'POST',
        token,
        body: { currentPassword: generated, newPassword: generated },
      });
      expect(same.status).toBe(400);

      const changed = await api<LoginBody>('/api/auth/password', {
        method: 'POST',
        token,
        body: { currentPassword: generated, newPassword: 'a-new-admin-password' },
      });
      expect(changed.status).toBe(200);
      expect(changed.body.user.mustChangePassword).toBe(false);
      admin = changed.body.token;
      expect((await api('/api/rooms', { token: admin })).status).toBe(200);
      // The session that held the generated password ends; so does the password and its file.
      expect((await api('/api/me', { token })).status).toBe(401);
      expect((await login('admin', generated)).status).toBe(401);
      expect(existsSync(adminPasswordFile(dataDir))).toBe(false);
      const again = await login('admin', 'a-new-admin-password');
      expect(again.body.user.mustChangePassword).toBe(false);
    });

    it('renames, re-roles, resets and deletes users; their sessions follow at once', async () => {
      const created = await api<{ id: string }>('/api/users', {
        method: 'POST',
        token: admin,
        body: { username: 'lc-speaker', password: 'speaker-password', role: 'speaker', roomIds: [] },
      });
      expect(created.status).toBe(201);
      const id = created.body.id;
      const speaker = (await login('lc-speaker', 'speaker-password')).body.token;

      const renamed = await api<{ username: string; role: string; roomIds: string[] }>(`/api/users/${id}`, {
        method: 'PATCH',
        token: admin,
        body: { username: 'lc-installer', role: 'installer' },
      });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({ username: 'lc-installer', role: 'installer' });
      expect((await api<{ username: string; role: string }>('/api/me', { token: speaker })).body).toMatchObject({
        username: 'lc-installer',
        role: 'installer',
      });
      const taken = await api<{ message: string }>(`/api/users/${id}`, {
        method: 'PATCH',
        token: admin,
        body: { username: 'admin' },
      });
      expect(taken.status).toBe(409);
      expect(taken.body.message).toBe('The username "admin" is taken: choose another one.');

      // Reset: a one-time password; the old password and the old session stop working.
      const reset = await api<{ password: string; user: { mustChangePassword: boolean } }>(
        `/api/users/${id}/reset-password`,
        { method: 'POST', token: admin },
      );
      expect(reset.status).toBe(200);
      expect(reset.body.user.mustChangePassword).toBe(true);
      expect((await api('/api/me', { token: speaker })).status).toBe(401);
      expect((await login('lc-installer', 'speaker-password')).status).toBe(401);
      const oneTime = await login('lc-installer', reset.body.password);
      expect(oneTime.body.user.mustChangePassword).toBe(true);
      expect((await api('/api/devices', { token: oneTime.body.token })).status).toBe(403);
      const own = await api<LoginBody>('/api/auth/password', {
        method: 'POST',
        token: oneTime.body.token,
        body: { currentPassword: reset.body.password, newPassword: 'installer-own-password' },
      });
      expect(own.status).toBe(200);
      expect((await api('/api/devices', { token: own.body.token })).status).toBe(200);

      // Delete: the user's token stops working at once.
      const deleted = await api(`/api/users/${id}`, { method: 'DELETE', token: admin });
      expect(deleted.status).toBe(200);
      expect((await api('/api/me', { token: own.body.token })).status).toBe(401);
      expect((await api(`/api/users/${id}`, { method: 'DELETE', token: admin })).status).toBe(404);

      const actions = (
        await api<{ action: string; target: string }[]>('/api/audit?action=user.', { token: admin })
      ).body
        .filter((r) => r.target.startsWith('user:lc-'))
        .map((r) => r.action)
        .sort();
      expect(actions).toEqual(['user.create', 'user.delete', 'user.password', 'user.password.reset', 'user.update']);
    });

    it('keeps at least one admin and never lets an admin delete themselves', async () => {
      const me = (await api<{ id: string }>('/api/me', { token: admin })).body;
      const self = await api<{ message: string }>(`/api/users/${me.id}`, { method: 'DELETE', token: admin });
      expect(self.status).toBe(409);
      expect(self.body.message).toBe('You cannot delete your own account: ask another admin.');
      const demote = await api<{ message: string }>(`/api/users/${me.id}`, {
        method: 'PATCH',
        token: admin,
        body: { role: 'speaker' },
      });
      expect(demote.status).toBe(409);
      expect(demote.body.message).toBe('admin is the only admin: make another user admin first.');
    });
  });
}
