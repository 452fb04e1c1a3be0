#!/usr/bin/env node
// The per-device ACL for the clustered broker (NATS JetStream with its MQTT listener, issue 16), generated from
// the same rule as the embedded broker's: the allowed topics are found by asking `mayPublish` / `maySubscribe`
// (./acl.ts) about every topic kind, then mapped to NATS subjects. Nothing here restates the table.
//
// CLI: npx tsx cloud/src/mqtt/nats-auth.ts --cloud-user lectern-cloud --cloud-password PW
//        [--devices devices.json] [--out auth.conf] [--bcrypt-cost 10] [--reload PID[,PID...]]
// devices.json: [{"deviceId": "hall-1", "password": "<printed secret or a $2a$/$2b$ bcrypt hash>"}, ...]
// The file is written atomically; --reload then sends SIGHUP (= `nats-server --signal reload=PID`) to each node.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import bcrypt from 'bcryptjs';
import { TOPIC_KINDS, topicFilter, topicFor } from '@lectern/protocol';
import { mayPublish, maySubscribe, type MqttPrincipal } from './acl';

export interface NatsPermissions {
  publish: string[];
  subscribe: string[];
}

export interface NatsAuthInput {
  /** The cloud's MQTT service credential (LECTERN_MQTT_USERNAME / LECTERN_MQTT_PASSWORD). */
  cloud: { username: string; password: string };
  devices: ReadonlyArray<{ deviceId: string; password: string }>;
  /** bcrypt cost for plaintext passwords (a value that is already a bcrypt hash is kept); 0 writes plaintext. */
  bcryptCost?: number;
}

/**
 * nats-server < 2.12 delivers a QoS 1 subscription's messages from a JetStream consumer to the internal subject
 * `$MQTT.sub.<random>`, checked against the MQTT client's subscribe permissions, so every MQTT user needs it.
 * The subject is a per-subscription random token, so allowing it does not let one client read another's.
 */
export const NATS_MQTT_INTERNAL_SUBSCRIBE = ['$MQTT.sub.>'];

/** MQTT topic or filter -> NATS subject(s): `/` -> `.`, `+` -> `*`; `a/#` matches `a` and `a.>` in MQTT. */
export function mqttToNatsSubjects(filter: string): string[] {
  if (filter.includes('.')) throw new Error(`topic "${filter}" contains "." (NATS would map it to "//")`);
  const levels = filter.split('/').map((l) => (l === '+' ? '*' : l));
  if (levels.at(-1) === '#') {
    const parent = levels.slice(0, -1).join('.');
    return [parent, `${parent}.>`];
  }
  return [levels.join('.')];
}

// Two distinct sample ids: a rule that holds for both (and for a device, only for its own) is per-kind.
const SAMPLES = ['lectern-acl-probe-a', 'lectern-acl-probe-b'] as const;

/** The NATS permissions equivalent to `mayPublish` / `maySubscribe` for one principal. */
export function natsPermissionsFor(who: MqttPrincipal): NatsPermissions {
  const pubFilters: string[] = [];
  const subFilters: string[] = [];
  if (who.kind === 'device') {
    const id = who.deviceId;
    for (const k of TOPIC_KINDS) {
      if (mayPublish(who, topicFor(k, id))) pubFilters.push(topicFor(k, id));
      if (maySubscribe(who, topicFor(k, id))) subFilters.push(topicFor(k, id));
    }
    if (maySubscribe(who, topicFilter('#', id))) subFilters.push(topicFilter('#', id));
    // The generated rights must not reach another device: the ACL says no for a foreign id.
    const other = SAMPLES.find((s) => s !== id)!;
    for (const k of TOPIC_KINDS) {
      if (mayPublish(who, topicFor(k, other)) || maySubscribe(who, topicFor(k, other)))
        throw new Error(`acl.ts lets device ${id} reach ${other}'s ${k}: cannot express as per-device rights`);
    }
  } else {
    for (const k of TOPIC_KINDS) {
      const pub = SAMPLES.map((s) => mayPublish(who, topicFor(k, s)));
      if (pub[0] !== pub[1]) throw new Error(`acl.ts: the cloud's right to publish ${k} depends on the device`);
      if (pub[0]) pubFilters.push(topicFilter(k));
    }
    for (const f of [...TOPIC_KINDS.map((k) => topicFilter(k)), topicFilter('#')])
      if (maySubscribe(who, f)) subFilters.push(f);
  }
  return {
    publish: [...new Set(pubFilters.flatMap(mqttToNatsSubjects))],
    subscribe: [...new Set([...subFilters.flatMap(mqttToNatsSubjects), ...NATS_MQTT_INTERNAL_SUBSCRIBE])],
  };
}

const BCRYPT = /^\$2[abxy]?\$\d\d\$/;
const q = (s: string): string => JSON.stringify(s);
const list = (xs: string[]): string => `[${xs.map(q).join(', ')}]`;

function secret(password: string, cost: number): string {
  if (BCRYPT.test(password) || cost === 0) return password;
  return bcrypt.hashSync(password, cost);
}

function userBlock(user: string, password: string, perms: NatsPermissions, cost: number): string {
  return [
    '    {',
    `      user: ${q(user)}`,
    `      password: ${q(secret(password, cost))}`,
    // MQTT only: the credential cannot be used for a core NATS connection (which could subscribe to `$JS.API`).
    '      allowed_connection_types: ["MQTT"]',
    `      permissions: { publish: { allow: ${list(perms.publish)} }, subscribe: { allow: ${list(perms.subscribe)} } }`,
    '    }',
  ].join('\n');
}

/** The `authorization { users = [...] }` block for nats-server's config (included by every node). */
export function renderNatsAuth(input: NatsAuthInput): string {
  const cost = input.bcryptCost ?? 10;
  const seen = new Set<string>([input.cloud.username]);
  const users = [userBlock(input.cloud.username, input.cloud.password, natsPermissionsFor({ kind: 'cloud' }), cost)];
  for (const d of input.devices) {
    topicFor('snapshot', d.deviceId); // validates the id
    if (seen.has(d.deviceId)) throw new Error(`duplicate user "${d.deviceId}"`);
    seen.add(d.deviceId);
    users.push(userBlock(d.deviceId, d.password, natsPermissionsFor({ kind: 'device', deviceId: d.deviceId }), cost));
  }
  return [
    '# Generated by cloud/src/mqtt/nats-auth.ts from cloud/src/mqtt/acl.ts. Do not edit by hand.',
    '# No user means no access: anonymous connections are refused.',
    'authorization {',
    '  users = [',
    users.join('\n'),
    '  ]',
    '}',
    '',
  ].join('\n');
}

/** Write the file atomically (so a node reloading mid-write never reads half of it). */
export function writeNatsAuth(path: string, input: NatsAuthInput): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, renderNatsAuth(input), { mode: 0o600 });
  renameSync(tmp, path);
}

/** Make running nodes re-read their config (the same as `nats-server --signal reload=<pid>`). */
export function reloadNatsNodes(pids: readonly number[]): void {
  for (const pid of pids) process.kill(pid, 'SIGHUP');
}

function main(argv: string[]): void {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const username = arg('cloud-user') ?? process.env.LECTERN_MQTT_USERNAME;
  const password = arg('cloud-password') ?? process.env.LECTERN_MQTT_PASSWORD;
  if (!username || !password) {
    console.error('usage: nats-auth.ts --cloud-user U --cloud-password P [--devices devices.json] [--out file]');
    process.exit(2);
  }
  const devicesFile = arg('devices');
  const devices = devicesFile
    ? (JSON.parse(readFileSync(devicesFile, 'utf8')) as Array<{ deviceId: string; password: string }>)
    : [];
  const input: NatsAuthInput = { cloud: { username, password }, devices, bcryptCost: Number(arg('bcrypt-cost') ?? 10) };
  const out = arg('out');
  if (out) writeNatsAuth(out, input);
  else process.stdout.write(renderNatsAuth(input));
  const reload = arg('reload');
  if (reload) reloadNatsNodes(reload.split(',').map(Number));
}

if (require.main === module) main(process.argv.slice(2));
