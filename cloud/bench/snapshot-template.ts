import { aggregateFaces, encode, type Snapshot } from '@lectern/protocol';

const TEMPLATE_AT = 1_700_000_000_000;

/**
 * A schema-valid snapshot of `faces` listeners. Encoded once through the protocol's validating encoder;
 * per message only seq and capturedAt change, so the load generator spends its CPU on MQTT, not on zod.
 */
export function snapshotEncoder(deviceId: string, roomId: string, faces: number): (seq: number, at: number) => Buffer {
  const p = [0.03, 0.01, 0.04, 0.5, 0.07, 0.1, 0.25];
  const tracks = Array.from({ length: faces }, (_, i) => ({ id: i + 1, p, frontal: i % 5 !== 4, ageS: 1 }));
  const template: Snapshot = {
    v: 1,
    deviceId,
    roomId,
    seq: 1,
    capturedAt: TEMPLATE_AT,
    faces,
    tracks,
    aggregate: aggregateFaces(tracks),
    model: { id: 'fer-mini-xception', version: '1.0.0' },
    emotionEnabled: true,
  };
  const json = encode('snapshot', template).toString('utf8');
  const [head, tail] = json.split(`"seq":1,"capturedAt":${TEMPLATE_AT}`);
  if (tail === undefined) throw new Error('unexpected snapshot encoding: seq/capturedAt not adjacent');
  return (seq, at) => Buffer.from(`${head}"seq":${seq},"capturedAt":${at}${tail}`);
}
