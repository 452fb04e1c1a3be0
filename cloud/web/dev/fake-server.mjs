// Development-only stand-in for the cloud API (the contract in docs), with synthetic data, so the
// dashboard can be built and screenshotted without a running backend. Never used by tests or production.
//   node cloud/web/dev/fake-server.mjs [port]   (serves cloud/web-dist; users admin/speaker/installer, password = username)
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import QRCode from 'qrcode';

const DIST = fileURLToPath(new URL('../../web-dist/', import.meta.url));
const PORT = Number(process.argv[2] ?? process.env.PORT ?? 5174);
const EMOTIONS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'];
const VALENCE = [-0.8, -0.9, -0.7, 1, -0.8, 0.3, 0];
const T0 = Date.now();

const users = [
  { id: 'u1', username: 'admin', role: 'admin', roomIds: [] },
  { id: 'u2', username: 'speaker', role: 'speaker', roomIds: ['hall-a', 'hall-b'] },
  { id: 'u3', username: 'installer', role: 'installer', roomIds: [] },
];
const rooms = [
  {
    id: 'hall-a',
    name: 'Lecture Hall A',
    buildingId: 'main',
    buildingName: 'Main Building',
    deviceIds: ['hall-a-cam-1'],
    minGroupSize: 3,
    base: [0.02, 0.01, 0.02, 0.34, 0.05, 0.1, 0.46],
    faces: 38,
  },
  {
    id: 'hall-b',
    name: 'Lecture Hall B',
    buildingId: 'main',
    buildingName: 'Main Building',
    deviceIds: ['hall-b-cam-1'],
    minGroupSize: 3,
    base: [0.04, 0.02, 0.03, 0.12, 0.14, 0.05, 0.6],
    faces: 21,
  },
  {
    id: 'seminar-3',
    name: 'Seminar Room 3',
    buildingId: 'annex',
    buildingName: 'Science Annex',
    deviceIds: ['sem-3-cam'],
    minGroupSize: 3,
    base: [0.02, 0.01, 0.02, 0.3, 0.05, 0.1, 0.5],
    faces: 2,
  },
  {
    id: 'lab-4',
    name: 'Computer Lab 4',
    buildingId: 'annex',
    buildingName: 'Science Annex',
    deviceIds: [],
    minGroupSize: 3,
    base: null,
    faces: 0,
  },
];
const devices = [
  {
    id: 'hall-a-cam-1',
    roomId: 'hall-a',
    status: 'online',
    software: '0.1.0',
    model: { id: 'fer-mini-xception', version: '1.2.0-int8' },
    configRevision: 3,
    temp: 61,
  },
  {
    id: 'hall-b-cam-1',
    roomId: 'hall-b',
    status: 'online',
    software: '0.1.0',
    model: { id: 'fer-mini-xception', version: '1.2.0-int8' },
    configRevision: 3,
    temp: 78,
  },
  {
    id: 'sem-3-cam',
    roomId: 'seminar-3',
    status: 'offline',
    software: '0.1.0',
    model: { id: 'fer-mini-xception', version: '1.1.0-int8' },
    configRevision: 2,
    temp: 55,
  },
];
const sessions = [
  {
    id: 's-101',
    roomId: 'hall-a',
    title: 'Linear Algebra — Eigenvalues',
    startedAt: T0 - 86_400_000 - 5_400_000,
    endedAt: T0 - 86_400_000,
    source: 'manual',
    status: 'done',
  },
  {
    id: 's-102',
    roomId: 'hall-b',
    title: 'Intro to Psychology',
    startedAt: T0 - 2 * 86_400_000 - 3_600_000,
    endedAt: T0 - 2 * 86_400_000,
    source: 'schedule',
    status: 'done',
  },
  {
    id: 's-103',
    roomId: 'hall-a',
    title: 'Recorded: Thermodynamics',
    startedAt: T0 - 3 * 86_400_000,
    endedAt: T0 - 3 * 86_400_000 + 2_700_000,
    source: 'upload',
    status: 'done',
  },
];
const jobs = [
  {
    id: 'j-1',
    status: 'done',
    progress: 1,
    error: null,
    sessionId: 's-103',
    filename: 'thermodynamics-week2.mp4',
    createdAt: T0 - 3 * 86_400_000,
  },
  {
    id: 'j-2',
    status: 'failed',
    progress: 0.34,
    error: 'No decodable video stream (codec hevc not supported)',
    sessionId: null,
    filename: 'phone-recording.mov',
    createdAt: T0 - 86_400_000,
  },
];

// Deterministic pseudo-random signal so screenshots are stable-ish.
const wave = (t, f, ph) => Math.sin((t / 1000) * f + ph);
function distributionAt(room, t) {
  const v = room.base.map((b, i) => Math.max(0.002, b * (1 + 0.45 * wave(t, 0.013 * (i + 1), i * 1.7))));
  const s = v.reduce((a, b) => a + b, 0);
  return v.map((x) => x / s);
}
const valenceOf = (d) => d.reduce((a, p, i) => a + p * VALENCE[i], 0);
function facesAt(room, t) {
  if (!room.base) return 0;
  return Math.max(0, Math.round(room.faces + (room.faces > 5 ? 2 * wave(t, 0.02, 1) : 0)));
}
function pointAt(room, t) {
  const faces = facesAt(room, t);
  // Every fake listener is read: the readable-size gate has nothing to hold back here.
  if (faces < room.minGroupSize || !room.base)
    return { ts: t, faces, read: faces, valence: null, attention: null, distribution: null };
  const d = distributionAt(room, t);
  return {
    ts: t,
    faces,
    read: faces,
    valence: valenceOf(d),
    attention: 0.72 + 0.18 * wave(t, 0.009, 2),
    distribution: d,
  };
}
function keyFor(room, i) {
  return ((room.id.length * 7919 + i * 104729) % 4096).toString(16).padStart(3, '0');
}
function aggregateOf(room, t = Date.now()) {
  const p = pointAt(room, t);
  const active = sessions.find((s) => s.roomId === room.id && s.endedAt === null);
  if (p.distribution === null) {
    return {
      roomId: room.id,
      ts: t,
      faces: p.faces,
      read: p.read,
      tooSmall: 0,
      minReadablePx: 16,
      emotionEnabled: true,
      suppressed: true,
      distribution: null,
      dominant: null,
      valence: null,
      attention: null,
      tracks: [],
      sessionId: active?.id ?? null,
    };
  }
  const tracks = Array.from({ length: Math.min(p.faces, 24) }, (_, i) => {
    const q = p.distribution.map((x, j) => Math.max(0.001, x * (1 + 0.9 * Math.sin(i * 2.3 + j * 1.1 + t / 9000))));
    const s = q.reduce((a, b) => a + b, 0);
    return { key: keyFor(room, i), p: q.map((x) => x / s), frontal: (i * 7) % 9 !== 0 };
  });
  const dominant = EMOTIONS[p.distribution.indexOf(Math.max(...p.distribution))];
  return {
    roomId: room.id,
    ts: t,
    faces: p.faces,
    read: p.read,
    tooSmall: 0,
    minReadablePx: 16,
    emotionEnabled: true,
    suppressed: false,
    distribution: p.distribution,
    dominant,
    valence: p.valence,
    attention: p.attention,
    tracks,
    sessionId: active?.id ?? null,
  };
}
function reportOf(session) {
  const room = rooms.find((r) => r.id === session.roomId) ?? rooms[0];
  const end = session.endedAt ?? Date.now();
  const step = end - session.startedAt > 20 * 60_000 ? 60_000 : 1000;
  const timeline = [];
  for (let t = session.startedAt; t <= end; t += step) timeline.push(pointAt(room.base ? room : rooms[0], t));
  const valid = timeline.filter((p) => p.valence !== null);
  const mean = (f) => (valid.length ? valid.reduce((a, p) => a + f(p), 0) / valid.length : null);
  const distribution = valid.length ? EMOTIONS.map((_, i) => mean((p) => p.distribution[i])) : null;
  const byVal = [...valid].sort((a, b) => a.valence - b.valence);
  const byAtt = [...valid].sort((a, b) => a.attention - b.attention);
  const peaks = valid.length
    ? [
        { ts: byVal[byVal.length - 1].ts, kind: 'valence-high', value: byVal[byVal.length - 1].valence },
        { ts: byVal[0].ts, kind: 'valence-low', value: byVal[0].valence },
        { ts: byAtt[0].ts, kind: 'attention-low', value: byAtt[0].attention },
      ]
    : [];
  const listeners = (distribution ? aggregateOf(room.base ? room : rooms[0], end).tracks : [])
    .slice(0, 12)
    .map((tr, i) => ({
      key: tr.key,
      seenS: Math.round(((end - session.startedAt) / 1000) * (1 - i * 0.06)),
      distribution: tr.p,
      meanValence: valenceOf(tr.p),
    }));
  return {
    session,
    summary: {
      durationS: (end - session.startedAt) / 1000,
      meanFaces: timeline.reduce((a, p) => a + p.faces, 0) / Math.max(1, timeline.length),
      meanRead: timeline.reduce((a, p) => a + p.read, 0) / Math.max(1, timeline.length),
      meanValence: mean((p) => p.valence),
      meanAttention: mean((p) => p.attention),
      distribution,
      peakFaces: Math.max(0, ...timeline.map((p) => p.faces)),
    },
    timeline,
    peaks,
    listeners,
  };
}
function devicesView() {
  const now = Date.now();
  return devices.map((d) => ({
    id: d.id,
    roomId: d.roomId,
    status: d.status,
    lastSeen: d.status === 'online' ? now - 2000 : d.status === 'never' ? null : now - 3 * 3600_000,
    software: d.software,
    model: d.model,
    telemetry:
      d.status === 'never'
        ? null
        : {
            fps: d.status === 'online' ? 11.6 + wave(now, 0.3, d.temp) * 0.4 : 0,
            temperatureC: d.temp,
            outboxDepth: d.status === 'online' ? 0 : 412,
            cpuPercent: 48,
            ts: now,
          },
    faceSizes: null,
    configRevision: d.configRevision,
  }));
}

// ---------- HTTP ----------
const send = (res, status, body, headers = {}) => {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};
const fail = (res, status, message) =>
  send(res, status, {
    statusCode: status,
    message,
    error: status === 401 ? 'Unauthorized' : status === 404 ? 'Not Found' : 'Bad Request',
  });
const readBody = (req) =>
  new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
const userFor = (req, url) => {
  const token = (req.headers.authorization ?? '').replace(/^Bearer /, '') || url.searchParams.get('token') || '';
  return users.find((u) => `fake-${u.username}` === token) ?? null;
};
const visibleRooms = (user) => (user.role === 'speaker' ? rooms.filter((r) => user.roomIds.includes(r.id)) : rooms);
const roomView = (r) => ({
  id: r.id,
  name: r.name,
  buildingId: r.buildingId,
  buildingName: r.buildingName,
  deviceIds: r.deviceIds,
  minGroupSize: r.minGroupSize,
  live: r.base ? aggregateOf(r) : null,
});

async function api(req, res, url) {
  const path = url.pathname;
  const method = req.method ?? 'GET';
  if (path === '/api/auth/login' && method === 'POST') {
    const { username, password } = JSON.parse((await readBody(req)).toString() || '{}');
    const user = users.find((u) => u.username === username);
    if (!user || password !== username) return fail(res, 401, 'Invalid username or password');
    return send(res, 200, { token: `fake-${user.username}`, user });
  }
  const user = userFor(req, url);
  if (!user) return fail(res, 401, 'Missing or invalid token');
  let m;
  if (path === '/api/me') return send(res, 200, user);
  if (path === '/api/rooms' && method === 'GET') return send(res, 200, visibleRooms(user).map(roomView));
  if (path === '/api/rooms' && method === 'POST') {
    const b = JSON.parse((await readBody(req)).toString());
    if (!b.name) return fail(res, 400, 'name is required');
    const id = b.id ?? b.name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    if (rooms.some((r) => r.id === id)) return fail(res, 409, `Room ${id} already exists`);
    const room = {
      id,
      name: b.name,
      buildingId: 'b',
      buildingName: b.buildingName,
      deviceIds: [],
      minGroupSize: 3,
      base: null,
      faces: 0,
    };
    rooms.push(room);
    return send(res, 201, roomView(room));
  }
  if ((m = path.match(/^\/api\/rooms\/([^/]+)\/live$/))) {
    const room = rooms.find((r) => r.id === m[1]);
    if (!room) return fail(res, 404, 'Room not found');
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    const push = () => res.write(`event: aggregate\ndata: ${JSON.stringify(aggregateOf(room))}\n\n`);
    if (room.base) push();
    const id = setInterval(() => room.base && push(), 1000);
    req.on('close', () => clearInterval(id));
    return;
  }
  if ((m = path.match(/^\/api\/rooms\/([^/]+)\/timeline$/))) {
    const room = rooms.find((r) => r.id === m[1]);
    if (!room) return fail(res, 404, 'Room not found');
    const to = Number(url.searchParams.get('to') ?? Date.now());
    const from = Number(url.searchParams.get('from') ?? to - 600_000);
    const step = url.searchParams.get('resolution') === '1m' ? 60_000 : 1000;
    const points = [];
    if (room.base) for (let t = Math.ceil(from / step) * step; t <= to; t += step) points.push(pointAt(room, t));
    return send(res, 200, { points });
  }
  if ((m = path.match(/^\/api\/rooms\/([^/]+)\/sessions$/)) && method === 'POST') {
    const b = JSON.parse((await readBody(req)).toString() || '{}');
    const s = {
      id: `s-${Date.now()}`,
      roomId: m[1],
      title: b.title ?? 'Session',
      startedAt: Date.now(),
      endedAt: null,
      source: 'manual',
      status: 'running',
    };
    sessions.push(s);
    return send(res, 201, s);
  }
  if (path === '/api/sessions') {
    const roomId = url.searchParams.get('roomId');
    const allowed = visibleRooms(user).map((r) => r.id);
    return send(
      res,
      200,
      sessions.filter((s) => allowed.includes(s.roomId) && (!roomId || s.roomId === roomId)),
    );
  }
  if ((m = path.match(/^\/api\/sessions\/([^/]+)\/stop$/))) {
    const s = sessions.find((x) => x.id === m[1]);
    if (!s) return fail(res, 404, 'Session not found');
    s.endedAt = Date.now();
    s.status = 'done';
    return send(res, 200, s);
  }
  if ((m = path.match(/^\/api\/sessions\/([^/]+)\/report(\.csv|\.pdf)?$/))) {
    const s = sessions.find((x) => x.id === m[1]);
    if (!s) return fail(res, 404, 'Session not found');
    const r = reportOf(s);
    if (m[2] === '.csv') {
      res.writeHead(200, {
        'Content-Type': 'text/csv',
        'Content-Disposition': `attachment; filename="session-${s.id}.csv"`,
      });
      return res.end(
        [
          'ts,faces,valence,attention',
          ...r.timeline.map((p) => `${p.ts},${p.faces},${p.valence ?? ''},${p.attention ?? ''}`),
        ].join('\n'),
      );
    }
    if (m[2] === '.pdf') {
      res.writeHead(200, {
        'Content-Type': 'application/pdf',
        'Content-Disposition': `attachment; filename="session-${s.id}.pdf"`,
      });
      return res.end('%PDF-1.4\n% fake\n');
    }
    return send(res, 200, r);
  }
  if (path === '/api/devices' && method === 'GET') return send(res, 200, devicesView());
  if (path === '/api/devices' && method === 'POST') {
    const b = JSON.parse((await readBody(req)).toString() || '{}');
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(b.id ?? ''))
      return fail(res, 400, 'id: must be a lowercase slug (a-z, 0-9, "-", "_")');
    if (devices.some((d) => d.id === b.id)) return fail(res, 409, `Device ${b.id} already exists`);
    devices.push({
      id: b.id,
      roomId: b.roomId,
      status: 'never',
      software: null,
      model: null,
      configRevision: 0,
      temp: 0,
    });
    rooms.find((r) => r.id === b.roomId)?.deviceIds.push(b.id);
    const password = 'q7Vx-93Lm-Tz4p-Hk2w';
    const mqttUrl = `mqtt://${req.headers.host?.split(':')[0] ?? 'localhost'}:1883`;
    const configYaml = `# Lectern device configuration for ${b.id}\ndeviceId: ${b.id}\nroomId: ${b.roomId}\nmqtt:\n  url: ${mqttUrl}\n  username: ${b.id}\n  password: ${password}\ncamera:\n  source: 0\n  width: 1280\n  height: 720\nsnapshotHz: 1\ndetection:\n  hz: 5\n  minFacePx: 40\nemotion:\n  enabled: true\n`;
    const qrPng = await QRCode.toDataURL(configYaml, { margin: 1, width: 300 });
    return send(res, 201, {
      device: devicesView().find((d) => d.id === b.id),
      credentials: { username: b.id, password },
      mqttUrl,
      configYaml,
      qrPng,
    });
  }
  if ((m = path.match(/^\/api\/devices\/([^/]+)\/config$/)) && method === 'PUT') {
    const d = devices.find((x) => x.id === m[1]);
    if (!d) return fail(res, 404, 'Device not found');
    d.configRevision += 1;
    return send(res, 200, { revision: d.configRevision });
  }
  if (path === '/api/users' && method === 'GET') return send(res, 200, users);
  if (path === '/api/users' && method === 'POST') {
    const b = JSON.parse((await readBody(req)).toString() || '{}');
    if (users.some((u) => u.username === b.username)) return fail(res, 409, `User ${b.username} already exists`);
    const u = { id: `u${users.length + 1}`, username: b.username, role: b.role, roomIds: b.roomIds ?? [] };
    users.push(u);
    return send(res, 201, u);
  }
  if (path === '/api/uploads' && method === 'POST') {
    const body = await readBody(req);
    const name = /filename="([^"]+)"/.exec(body.subarray(0, 2000).toString())?.[1] ?? 'video.mp4';
    const job = {
      id: `j-${Date.now()}`,
      status: 'queued',
      progress: 0,
      error: null,
      sessionId: null,
      filename: name,
      createdAt: Date.now(),
    };
    jobs.push(job);
    return send(res, 201, job);
  }
  if (path === '/api/jobs') return send(res, 200, jobs);
  if ((m = path.match(/^\/api\/jobs\/([^/]+)$/))) {
    const j = jobs.find((x) => x.id === m[1]);
    if (!j) return fail(res, 404, 'Job not found');
    if (method === 'DELETE') {
      if (j.status === 'queued' || j.status === 'running') j.status = 'cancelled';
    }
    return send(res, 200, j);
  }
  if (path === '/api/health') return send(res, 200, { status: 'ok', db: 'ok', mqtt: 'ok' });
  return fail(res, 404, `Cannot ${method} ${path}`);
}

// Jobs advance in the background like the real analysis worker.
setInterval(() => {
  for (const j of jobs) {
    if (j.status === 'queued') j.status = 'running';
    else if (j.status === 'running') {
      j.progress = Math.min(1, j.progress + 0.04);
      if (j.progress >= 1) {
        const s = {
          id: `s-${j.id}`,
          roomId: 'hall-a',
          title: `Upload: ${j.filename}`,
          startedAt: Date.now() - 600_000,
          endedAt: Date.now(),
          source: 'upload',
          status: 'done',
        };
        sessions.push(s);
        j.status = 'done';
        j.sessionId = s.id;
      }
    }
  }
}, 1000).unref();

const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};
async function serveStatic(res, pathname) {
  let file = normalize(join(DIST, pathname));
  if (!file.startsWith(DIST)) file = join(DIST, 'index.html');
  try {
    if (!(await stat(file)).isFile()) file = join(DIST, 'index.html');
  } catch {
    file = join(DIST, 'index.html');
  }
  res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
  res.end(await readFile(file));
}

createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const handler = url.pathname.startsWith('/api/') ? api(req, res, url) : serveStatic(res, url.pathname);
  handler.catch((err) => {
    console.error(err);
    if (!res.headersSent) fail(res, 500, String(err));
  });
}).listen(PORT, () => console.log(`fake Lectern API + dashboard on http://localhost:${PORT}`));
