import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { JwtService } from '@nestjs/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloud } from '../src';
import { UsersService } from '../src/auth/users.service';
import { LoginLimiter } from '../src/auth/login-limiter';
import { ADMIN_PASSWORD, startTestCloud, type TestCloud } from './helpers/cloud';
import { openSse } from './helpers/sse';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * One request on its own connection, optionally from a chosen loopback source address (127.0.0.0/8 all
 * reaches the cloud on 127.0.0.1): how these tests are "another client address" without a proxy.
 */
function send(
  url: string,
  opts: { method?: string; body?: unknown; headers?: Record<string, string>; from?: string } = {},
): Promise<Reply> {
  return new Promise((resolvePromise, reject) => {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = httpRequest(
      url,
      {
        method: opts.method ?? 'GET',
        agent: false,
        ...(opts.from ? { localAddress: opts.from } : {}),
        headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...opts.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function login(
  cloud: TestCloud,
  username: string,
  password: string,
  from?: string,
  headers?: Record<string, string>,
): Promise<Reply> {
  return send(`${cloud.httpUrl}/api/auth/login`, {
    method: 'POST',
    body: { username, password },
    ...(from ? { from } : {}),
    ...(headers ? { headers } : {}),
  });
}

async function createUser(cloud: TestCloud, admin: string, username: string, password: string): Promise<void> {
  const r = await cloud.api('/api/users', {
    method: 'POST',
    token: admin,
    body: { username, password, role: 'speaker', roomIds: ['sec-room'] },
  });
  expect(r.status).toBe(201);
}

const PAIR_LIMIT = 5;
const ACCOUNT_LIMIT = 8;

describe('login limiter, tokens and HTTP hardening (issue 12 part 4)', () => {
  let cloud: TestCloud;
  let admin: string;
  let webDir: string;

  beforeAll(async () => {
    webDir = mkdtempSync(join(tmpdir(), 'lectern-web-'));
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>Lectern</title><div id="app"></div>');
    cloud = await startTestCloud({
      env: {
        LECTERN_LOGIN_FAILURES_PER_MINUTE: String(PAIR_LIMIT),
        LECTERN_LOGIN_ACCOUNT_FAILURES_PER_MINUTE: String(ACCOUNT_LIMIT),
        LECTERN_WEB_DIR: webDir,
      },
    });
    admin = await cloud.login();
    const room = await cloud.api('/api/rooms', {
      method: 'POST',
      token: admin,
      body: { id: 'sec-room', name: 'Security', buildingName: 'Main' },
    });
    expect(room.status).toBe(201);
    await cloud.api('/api/rooms', {
      method: 'POST',
      token: admin,
      body: { id: 'sec-other', name: 'Other', buildingName: 'Main' },
    });
  });
  afterAll(async () => {
    await cloud?.stop();
    if (webDir) rmSync(webDir, { recursive: true, force: true });
  });

  it('200 concurrent wrong logins cost at most the configured number of real password checks', async () => {
    await createUser(cloud, admin, 'race-victim', 'race-victim-password');
    const users = cloud.app.get(UsersService);
    const before = users.passwordChecks;
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) => login(cloud, 'race-victim', `wrong-${i}`, '127.0.0.1')),
    );
    const checks = users.passwordChecks - before;
    expect(checks).toBeLessThanOrEqual(PAIR_LIMIT);
    expect(checks).toBeGreaterThan(0);
    expect(replies.filter((r) => r.status === 401)).toHaveLength(checks);
    const refused = replies.filter((r) => r.status === 429);
    expect(refused).toHaveLength(200 - checks);
    expect(Number(refused[0]!.headers['retry-after'])).toBeGreaterThan(0);
    expect((JSON.parse(refused[0]!.body) as { message: string }).message).toMatch(/too many failed logins/);

    // This address is locked out of this account (even with the right password: it cannot be told apart
    // from a guesser that got lucky), but the right password from another address goes through.
    expect((await login(cloud, 'race-victim', 'race-victim-password', '127.0.0.1')).status).toBe(429);
    const other = await login(cloud, 'race-victim', 'race-victim-password', '127.0.0.2');
    expect(other.status).toBe(200);
    expect((JSON.parse(other.body) as { token: unknown }).token).toEqual(expect.any(String));
    // …and other accounts from the locked address are untouched (one shared NAT address must not lock everyone out).
    expect((await login(cloud, 'admin', ADMIN_PASSWORD, '127.0.0.1')).status).toBe(200);
  });

  it('an account under a distributed attack still lets a fresh address check the right password', async () => {
    await createUser(cloud, admin, 'spread-victim', 'spread-victim-password');
    const users = cloud.app.get(UsersService);
    const before = users.passwordChecks;
    // Two addresses guess until their pairs are exhausted: the account passes its limit.
    for (const from of ['127.0.1.1', '127.0.1.2'])
      await Promise.all(Array.from({ length: 20 }, (_, i) => login(cloud, 'spread-victim', `w${i}`, from)));
    expect(users.passwordChecks - before).toBeLessThanOrEqual(ACCOUNT_LIMIT);
    // Under attack, a fresh address gets one check (concurrent ones are refused), not PAIR_LIMIT.
    const fresh = await Promise.all(
      Array.from({ length: 10 }, () => login(cloud, 'spread-victim', 'nope', '127.0.1.3')),
    );
    expect(fresh.filter((r) => r.status === 401)).toHaveLength(1);
    expect(fresh.filter((r) => r.status === 429)).toHaveLength(9);
    // The legitimate user from yet another address: the right password works.
    expect((await login(cloud, 'spread-victim', 'spread-victim-password', '127.0.1.4')).status).toBe(200);
  });

  it('ignores X-Forwarded-For by default (the TCP peer is the client address)', async () => {
    await createUser(cloud, admin, 'xff-victim', 'xff-victim-password');
    const statuses: number[] = [];
    for (let i = 0; i < PAIR_LIMIT + 3; i++) {
      const r = await login(cloud, 'xff-victim', `guess-${i}`, '127.0.2.1', {
        'x-forwarded-for': `203.0.113.${i + 1}`,
      });
      statuses.push(r.status);
    }
    expect(statuses.slice(0, PAIR_LIMIT)).toEqual(Array(PAIR_LIMIT).fill(401));
    expect(statuses.slice(PAIR_LIMIT)).toEqual([429, 429, 429]);
  });

  it('sends security headers on API, dashboard and error responses, and no X-Powered-By', async () => {
    for (const path of ['/api/health', '/', '/rooms/x', '/api/nope', '/api/me']) {
      const r = await send(`${cloud.httpUrl}${path}`);
      const csp = String(r.headers['content-security-policy']);
      expect(csp, path).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
      expect(r.headers['x-powered-by']).toBeUndefined();
      // Plain http and no LECTERN_HSTS: no HSTS (a browser would ignore it anyway).
      expect(r.headers['strict-transport-security']).toBeUndefined();
    }
    // The dashboard is served (with the headers above) and X-Forwarded-Proto from an untrusted peer does not count.
    const page = await send(`${cloud.httpUrl}/`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('id="app"');
    expect(page.headers['strict-transport-security']).toBeUndefined();
  });

  it('refuses tokens without exp, tickets as access tokens, and ?token= outside the live stream', async () => {
    const jwt = cloud.app.get(JwtService);
    const me = await cloud.api<{ id: string }>('/api/me', { token: admin });
    const noExp = await jwt.signAsync({ sub: me.body.id });
    const r = await cloud.api<{ message: string }>('/api/me', { token: noExp });
    expect(r.status).toBe(401);
    expect(r.body.message).toMatch(/exp/);
    const expired = await jwt.signAsync({ sub: me.body.id, exp: Math.floor(Date.now() / 1000) - 10 });
    expect((await cloud.api('/api/me', { token: expired })).status).toBe(401);
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({ sub: me.body.id, exp: Math.floor(Date.now() / 1000) + 600 }),
    ).toString('base64url')}.`;
    expect((await cloud.api('/api/me', { token: unsigned })).status).toBe(401);

    // The session token in the URL is refused on ordinary routes…
    const inUrl = await cloud.api<{ message: string }>(`/api/me?token=${admin}`);
    expect(inUrl.status).toBe(401);
    expect(inUrl.body.message).toMatch(/Authorization/);
    expect((await cloud.api(`/api/rooms?token=${admin}`)).status).toBe(401);
    // …and still opens the live stream (EventSource cannot send headers).
    const viaToken = await openSse(`${cloud.httpUrl}/api/rooms/sec-room/live?token=${admin}`);
    viaToken.close();
  });

  it('opens the live stream with a 60 s ticket bound to one room and good for nothing else', async () => {
    const speaker = 'ticket-speaker';
    await createUser(cloud, admin, speaker, 'ticket-speaker-password');
    const token = await cloud.login(speaker, 'ticket-speaker-password');
    const t = await cloud.api<{ ticket: string; expiresInS: number; url: string }>('/api/rooms/sec-room/live/ticket', {
      method: 'POST',
      token,
    });
    expect(t.status).toBe(200);
    expect(t.body.expiresInS).toBe(60);
    const payload = JSON.parse(Buffer.from(t.body.ticket.split('.')[1]!, 'base64url').toString()) as {
      exp: number;
      iat: number;
      typ: string;
    };
    expect(payload.exp - payload.iat).toBe(60);
    expect(payload.typ).toBe('live');
    const sse = await openSse(`${cloud.httpUrl}${t.body.url}`);
    sse.close();
    // Another room: no ticket for it (403), and this room's ticket does not open it (401).
    expect((await cloud.api('/api/rooms/sec-other/live/ticket', { method: 'POST', token })).status).toBe(403);
    const adminTicket = await cloud.api<{ ticket: string }>('/api/rooms/sec-room/live/ticket', {
      method: 'POST',
      token: admin,
    });
    expect((await cloud.api(`/api/rooms/sec-other/live?ticket=${adminTicket.body.ticket}`)).status).toBe(401);
    // A ticket is not an access token, in the header or in the URL.
    expect((await cloud.api('/api/me', { token: t.body.ticket })).status).toBe(401);
    expect((await cloud.api(`/api/me?ticket=${t.body.ticket}`)).status).toBe(401);
    expect((await cloud.api('/api/rooms/sec-room/live?ticket=garbage')).status).toBe(401);
  });

  it('refuses placeholder passwords for new users', async () => {
    const r = await cloud.api<{ message: string }>('/api/users', {
      method: 'POST',
      token: admin,
      body: { username: 'lazy', password: 'change-me-dashboard-admin', role: 'speaker', roomIds: [] },
    });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/password/);
  });

  it('keeps the limiter state small: a success forgives its own address', () => {
    const limiter = cloud.app.get(LoginLimiter);
    const slot = limiter.reserve('forgive-me', '10.9.9.9');
    slot.failed();
    for (let i = 0; i < PAIR_LIMIT - 1; i++) limiter.reserve('forgive-me', '10.9.9.9').failed();
    expect(() => limiter.reserve('forgive-me', '10.9.9.9')).toThrow(/too many failed logins/);
    limiter.reserve('forgive-me', '10.9.9.8').succeeded();
    // A release (check not made) gives the slot back without counting it.
    for (let i = 0; i < PAIR_LIMIT * 2; i++) limiter.reserve('forgive-me', '10.9.9.7').released();
    limiter.reserve('forgive-me', '10.9.9.7').succeeded();
  });
});

describe('behind a trusted proxy, with public metrics and docs', () => {
  let cloud: TestCloud;

  beforeAll(async () => {
    cloud = await startTestCloud({
      env: {
        LECTERN_TRUST_PROXY: 'loopback',
        LECTERN_LOGIN_FAILURES_PER_MINUTE: '3',
        LECTERN_PUBLIC_DOCS: '1',
        LECTERN_METRICS_TOKEN: 'scrape-token-0123456789abcdef',
      },
    });
  });
  afterAll(async () => {
    await cloud?.stop();
  });

  it('uses X-Forwarded-For from the trusted proxy as the client address, and X-Forwarded-Proto for HSTS', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await login(cloud, 'admin', `guess-${i}`, undefined, { 'x-forwarded-for': `198.51.100.${i + 1}` });
      statuses.push(r.status);
    }
    expect(statuses).toEqual(Array(8).fill(401));
    const viaHttps = await send(`${cloud.httpUrl}/api/health`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(viaHttps.headers['strict-transport-security']).toMatch(/max-age=\d+/);
  });

  it('serves docs publicly when LECTERN_PUBLIC_DOCS=1 and metrics to the metrics token', async () => {
    expect((await send(`${cloud.httpUrl}/api/docs`)).status).toBe(200);
    expect((await send(`${cloud.httpUrl}/metrics`)).status).toBe(401);
    const wrong = await send(`${cloud.httpUrl}/metrics`, {
      headers: { authorization: 'Bearer scrape-token-0123456789abcdeX' },
    });
    expect(wrong.status).toBe(401);
    const m = await send(`${cloud.httpUrl}/metrics`, {
      headers: { authorization: 'Bearer scrape-token-0123456789abcdef' },
    });
    expect(m.status).toBe(200);
    expect(m.body).toContain('lectern_ingest_received_total');
  });
});

describe('placeholder secrets are refused at boot', () => {
  const exampleFile = resolve(__dirname, '../../deploy/cloud/.env.example');
  const example = Object.fromEntries(
    readFileSync(exampleFile, 'utf8')
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

  const cases: [string, Record<string, string>][] = [
    ...Object.keys(example)
      .filter((k) => k.startsWith('LECTERN_') && /PASSWORD|SECRET|TOKEN/.test(k))
      .map((k): [string, Record<string, string>] => [k, { [k]: example[k]! }]),
    ['LECTERN_DB_URL', { LECTERN_DB_URL: `postgres://lectern:${example.POSTGRES_PASSWORD}@127.0.0.1:5/lectern` }],
    ['LECTERN_ADMIN_PASSWORD', { LECTERN_ADMIN_PASSWORD: 'CHANGEME-please' }],
    ['LECTERN_JWT_SECRET', { LECTERN_JWT_SECRET: 'replace-with-a-long-random-string' }],
  ];

  it.each(cases)('%s from .env.example or a change-me value stops the boot, naming the setting', async (name, env) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lectern-placeholder-'));
    mkdirSync(dataDir, { recursive: true });
    try {
      await expect(
        startCloud({
          LECTERN_HTTP_PORT: '0',
          LECTERN_MQTT_PORT: 'auto',
          LECTERN_MQTT_HOST: '127.0.0.1',
          LECTERN_DATA_DIR: dataDir,
          LECTERN_ADMIN_PASSWORD: ADMIN_PASSWORD,
          LECTERN_LOG_LEVEL: 'silent',
          ...env,
        }),
      ).rejects.toThrow(new RegExp(`${name}.*placeholder`));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('the example has the settings this test relies on', () => {
    expect(Object.keys(example)).toEqual(
      expect.arrayContaining([
        'LECTERN_JWT_SECRET',
        'LECTERN_ADMIN_PASSWORD',
        'LECTERN_MQTT_PASSWORD',
        'POSTGRES_PASSWORD',
      ]),
    );
  });
});
