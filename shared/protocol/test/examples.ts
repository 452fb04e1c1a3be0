import type { PayloadOf } from '../src';

const t0 = Date.UTC(2026, 10, 25, 9, 0, 0);

/** One valid example per topic, also used in docs/protocol.md. */
export const examples: { [K in import('../src').TopicKind]: PayloadOf<K> } = {
  snapshot: {
    v: 1,
    deviceId: 'hall-a-cam-1',
    roomId: 'hall-a',
    epoch: 1829301,
    seq: 42,
    capturedAt: t0,
    faces: 2,
    tracks: [
      { id: 7, p: [0.02, 0.01, 0.03, 0.71, 0.05, 0.08, 0.1], frontal: true, ageS: 12.5 },
      { id: 9, p: [0.05, 0.0, 0.05, 0.1, 0.2, 0.05, 0.55], frontal: false, ageS: 3 },
    ],
    aggregate: {
      distribution: [0.035, 0.005, 0.04, 0.405, 0.125, 0.065, 0.325],
      dominant: 'happy',
      valence: 0.2,
      attention: 0.5,
    },
    model: { id: 'emotion-xception-int8', version: '1.0.0' },
    emotionEnabled: true,
  },
  status: {
    v: 1,
    deviceId: 'hall-a-cam-1',
    state: 'online',
    since: t0,
    software: '0.1.0',
    model: { id: 'emotion-xception-int8', version: '1.0.0' },
  },
  telemetry: {
    v: 1,
    deviceId: 'hall-a-cam-1',
    ts: t0,
    fps: 14.8,
    detectMs: 38.2,
    classifyMs: 2.4,
    cpuPercent: 63,
    memoryMb: 212,
    temperatureC: 51.5,
    outboxDepth: 0,
    outboxDropped: 0,
    uptimeS: 86400,
    source: { state: 'ok', reconnects: 0 },
  },
  response: { v: 1, txId: 'tx_0123456789', ts: t0, to: 'ping', ok: true, result: { uptimeS: 86400 } },
  config: {
    v: 1,
    revision: 3,
    issuedAt: t0,
    snapshotHz: 1,
    detection: { hz: 2, scaleFactor: 1.1, minNeighbors: 5, minFacePx: 40 },
    emotion: { enabled: true, smoothingAlpha: 0.3 },
  },
  command: {
    v: 1,
    txId: 'tx_0123456790',
    issuedAt: t0,
    name: 'model-update',
    url: 'https://cloud.example/models/emotion-int8-1.1.0.onnx',
    sha256: 'a'.repeat(64),
    modelId: 'emotion-xception-int8',
    version: '1.1.0',
  },
};
