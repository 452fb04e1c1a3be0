import { createServer, type Server } from 'node:net';
import type Aedes from 'aedes';
import { createBroker, type AedesPublishPacket, type AuthenticateError, type Client, type PublishPacket } from 'aedes';
import type { MessageHandler } from '../ingest/mqtt-ingest-client';
import { mayPublish, maySubscribe, type MqttPrincipal } from './acl';
import { sameSecret } from './credentials';

export interface BrokerAuth {
  /** The cloud's own service credential, generated at boot. */
  serviceUsername: string;
  servicePassword: string;
  /** Resolves whether `password` is the device's current secret. */
  checkDevice(deviceId: string, password: string): Promise<boolean>;
  /**
   * Client ids only the service credential may use (the cloud's ingest id and the `lectern-cloud` prefix): a
   * device that names one is refused before it can take over that session.
   */
  serviceClientIds?: readonly string[];
}

export interface BrokerLimits {
  /** Largest MQTT packet accepted, CONNECT included; a bigger announced length closes the connection at once. */
  maxPacketBytes: number;
  /** Largest retained PUBLISH a client may store; bigger retained publishes are refused. */
  maxRetainedBytes: number;
}

export const DEFAULT_BROKER_LIMITS: BrokerLimits = { maxPacketBytes: 256 * 1024, maxRetainedBytes: 16 * 1024 };

/** The client id the agent connects with by default (device/src/link): `lectern-<deviceId>`. */
export function deviceClientId(deviceId: string): string {
  return `lectern-${deviceId}`;
}

/**
 * The client ids a device may use: the agent's `lectern-<id>`, or its bare id. Device ids never start with
 * `lectern-` (provisioning refuses them), so no device's bare id can be another device's `lectern-` id.
 */
export function deviceMayUseClientId(deviceId: string, clientId: string): boolean {
  return clientId === deviceClientId(deviceId) || clientId === deviceId;
}

/** Client ids reserved for the cloud: its configured ingest id and anything under `lectern-cloud`. */
export function isServiceClientId(clientId: string, serviceClientIds: readonly string[] = []): boolean {
  return clientId.startsWith('lectern-cloud') || serviceClientIds.includes(clientId);
}

export interface BrokerCounters {
  authFailures: number;
  deniedPublishes: number;
  deniedSubscribes: number;
  /** Connections closed because they announced a packet over `maxPacketBytes`. */
  oversizedPackets: number;
  /** Retained publishes over `maxRetainedBytes`, refused. */
  oversizedRetained: number;
  /** CONNECTs with valid credentials but a client id those credentials may not use. */
  clientIdRefused: number;
}

const principals = new WeakMap<Client, MqttPrincipal>();
/** When a device connection's credential check began: a revocation after it closes the connection once ready. */
const authStarted = new WeakMap<Client, number>();
/** Topics a connection was already allowed to publish to; mayPublish admits only a handful per principal. */
const grantedTopics = new WeakMap<Client, Set<string>>();

function authError(message: string, returnCode: 2 | 4 = 4): AuthenticateError {
  return Object.assign(new Error(message), { returnCode });
}

class ClientIdRefused extends Error {}

/** The bits of mqtt-packet's parser the size guard hooks into (not in its typings). */
interface PacketParser {
  packet: { length: number };
  _parseLength(): boolean;
  _emitError(err: Error): void;
}

/**
 * Makes a connection's parser give up as soon as a packet's remaining length is known to exceed `max`:
 * mqtt-packet would otherwise buffer the whole announced packet (128 MB CONNECTs from unauthenticated
 * clients) before anything looks at it. The error closes the connection through aedes' own error path.
 */
function limitPacketSize(client: Client, max: number, onOversized: () => void): void {
  const parser = (client as unknown as { _parser?: PacketParser })._parser;
  if (!parser || typeof parser._parseLength !== 'function') {
    throw new Error('aedes/mqtt-packet internals changed: cannot enforce the MQTT packet size limit');
  }
  const parseLength = parser._parseLength.bind(parser);
  parser._parseLength = () => {
    if (!parseLength()) return false;
    if (parser.packet.length > max) {
      onOversized();
      parser._emitError(new Error(`packet of ${parser.packet.length} bytes exceeds the ${max}-byte limit`));
      return false;
    }
    return true;
  };
}

/** The embedded aedes broker on a TCP port, with per-device authentication and topic ACL. */
export class EmbeddedBroker {
  readonly counters: BrokerCounters = {
    authFailures: 0,
    deniedPublishes: 0,
    deniedSubscribes: 0,
    oversizedPackets: 0,
    oversizedRetained: 0,
    clientIdRefused: 0,
  };
  private readonly aedes: Aedes;
  private server: Server | null = null;
  port = 0;

  constructor(
    private readonly auth: BrokerAuth,
    private readonly limits: BrokerLimits = DEFAULT_BROKER_LIMITS,
  ) {
    this.aedes = createBroker({
      // No CONNECT within 10 s: the socket is closed (aedes' default keeps idle sockets 30 s).
      connectTimeout: 10_000,
      // Device client ids are `lectern-<slug of up to 64>`; aedes' 23 applies to MQTT 3.1 only.
      maxClientsIdLength: 80,
      authenticate: (client, username, password, done) => {
        this.authenticate(client, username, password).then(
          (ok) =>
            ok ? done(null, true) : (this.counters.authFailures++, done(authError('bad username or password'), false)),
          (err: unknown) =>
            err instanceof ClientIdRefused
              ? (this.counters.clientIdRefused++, done(authError(err.message, 2), false))
              : done(authError('authentication unavailable'), false),
        );
      },
      authorizePublish: (client, packet, authorized) => {
        // issue 12: a device's publish, once allowed, is ingested here and authorized only once it is durable.
        const done = (err?: Error | null): void => this.ingestBeforeAck(client, packet, err, authorized);
        if (!client) return done(null); // the broker's own publishes ($SYS, wills already vetted)
        if (packet.retain && Buffer.byteLength(packet.payload) > this.limits.maxRetainedBytes) {
          this.counters.oversizedRetained++;
          return done(new Error(`retained message over ${this.limits.maxRetainedBytes} bytes`));
        }
        // Devices publish to the same few topics thousands of times: remember the ones already granted.
        const granted = grantedTopics.get(client);
        if (granted?.has(packet.topic)) return done(null);
        const who = principals.get(client);
        if (who && mayPublish(who, packet.topic)) {
          if (granted) granted.add(packet.topic);
          else grantedTopics.set(client, new Set([packet.topic]));
          return done(null);
        }
        this.counters.deniedPublishes++;
        done(new Error(`publish to ${packet.topic} not allowed`));
      },
      authorizeSubscribe: (client, sub, done) => {
        const who = principals.get(client);
        if (who && maySubscribe(who, sub.topic)) return done(null, sub);
        this.counters.deniedSubscribes++;
        done(null, null); // SUBACK 0x80 for this filter, connection stays up
      },
    });
    // A connection whose credentials were checked before its device was deleted or re-keyed, but registered
    // only after disconnectDevice ran, is closed as soon as aedes registers it.
    this.aedes.on('clientReady', (client) => {
      const who = principals.get(client);
      if (who?.kind !== 'device') return;
      const revoked = this.revokedAt.get(who.deviceId);
      if (revoked !== undefined && (authStarted.get(client) ?? 0) <= revoked) client.close();
    });
  }

  private readonly revokedAt = new Map<string, number>();

  /**
   * Closes the device's connection at once (deleted device, rotated credentials); its next CONNECT is checked
   * against the credentials the registry holds by then. Returns how many connections were closed.
   */
  disconnectDevice(deviceId: string): number {
    this.revokedAt.set(deviceId, performance.now());
    const clients = (this.aedes as unknown as { clients: Record<string, Client | undefined> }).clients;
    let closed = 0;
    for (const id of [deviceClientId(deviceId), deviceId]) {
      const client = clients[id];
      const who = client ? principals.get(client) : undefined;
      if (client && who?.kind === 'device' && who.deviceId === deviceId) {
        client.close();
        closed++;
      }
    }
    return closed;
  }

  /**
   * Credentials first, then the client id they may use: a device only its own `lectern-<id>`, the cloud's
   * ids only the service credential. Refusing here (CONNACK 2) happens before aedes registers the client,
   * so a refused CONNECT neither takes over a session nor disconnects the device that owns the id.
   */
  private async authenticate(client: Client, username?: string, password?: Buffer): Promise<boolean> {
    if (!username || !password) return false;
    const secret = password.toString('utf8');
    if (username === this.auth.serviceUsername) {
      if (!sameSecret(secret, this.auth.servicePassword)) return false;
      principals.set(client, { kind: 'cloud' });
      return true;
    }
    authStarted.set(client, performance.now());
    if (!(await this.auth.checkDevice(username, secret))) return false;
    if (!deviceMayUseClientId(username, client.id) || isServiceClientId(client.id, this.auth.serviceClientIds)) {
      throw new ClientIdRefused(`device ${username} may only connect with client id ${deviceClientId(username)}`);
    }
    principals.set(client, { kind: 'device', deviceId: username });
    return true;
  }

  /**
   * The cloud's own subscriptions, in-process: no loopback MQTT connection, no second encode/decode of each
   * message. Devices still go through authenticate / authorizePublish; a device's publish is handed to
   * `onMessage` from there, so that its PUBACK waits for the promise `onMessage` returns (issue 12, see
   * ingestBeforeAck); this subscription delivers the rest (broker-side publishes). Call before `listen`, so no
   * device publishes before the cloud listens.
   */
  async subscribe(filters: readonly string[], onMessage: MessageHandler): Promise<void> {
    this.ingest = onMessage; // issue 12: device publishes are ingested in authorizePublish (ingestBeforeAck)
    const deliver = (packet: AedesPublishPacket, done: () => void): void => {
      if (Buffer.isBuffer(packet.payload) && this.ingested.has(packet.payload)) return done();
      let wait: Promise<void> | null = null;
      try {
        const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
        wait = onMessage(packet.topic, payload);
      } catch {
        // The ingest service counts and drops bad messages itself; a throw here must not stall the broker.
      }
      if (wait)
        wait.then(
          () => this.ack(done),
          () => this.ack(done),
        );
      else this.ack(done);
    };
    for (const filter of filters) {
      await new Promise<void>((resolve) => this.aedes.subscribe(filter, deliver, resolve));
    }
  }

  // ---- issue 12: acknowledge only what is committed ----
  // aedes writes a QoS 1 PUBACK right after authorizePublish calls back, before subscribers see the message;
  // so a device's publish is handed to ingestion here, and authorized (PUBACK) only once ingestion's promise
  // resolves (the snapshot row is committed or dead-lettered). A rejected promise (shutdown with the database
  // failing) refuses the publish: no PUBACK, the device keeps the snapshot and sends it again. The payload is
  // remembered so the in-process subscription does not ingest it a second time.
  private ingest: MessageHandler | null = null;
  private readonly ingested = new WeakSet<Buffer>();

  private ingestBeforeAck(
    client: Client | null,
    packet: PublishPacket,
    err: Error | null | undefined,
    authorized: (err?: Error | null) => void,
  ): void {
    const ingest = this.ingest;
    if (err || !client || !ingest || principals.get(client)?.kind !== 'device' || !Buffer.isBuffer(packet.payload))
      return authorized(err ?? null);
    this.ingested.add(packet.payload);
    let wait: Promise<void> | null = null;
    try {
      wait = ingest(packet.topic, packet.payload);
    } catch {
      // The ingest service counts and drops bad messages itself; a throw here must not stall the broker.
    }
    if (!wait) return authorized(null);
    wait.then(
      () => this.ack(() => authorized(null)),
      (e: unknown) => authorized(e instanceof Error ? e : new Error(String(e))),
    );
  }
  // ---- end issue 12 ----

  private acks: (() => void)[] = [];

  /**
   * Completes deliveries in batches, once per event-loop turn, so the PUBACKs of one device's burst are
   * written while its socket is corked and can share a write system call (one per PUBACK showed up as ~12%
   * of the cloud's CPU in profiles).
   */
  private ack(done: () => void): void {
    if (this.acks.push(done) > 1) return;
    setImmediate(() => {
      const acks = this.acks;
      this.acks = [];
      for (const d of acks) d();
    });
  }

  /** Publishes as the broker itself (cloud config and commands); retained messages are stored as usual. */
  async publish(topic: string, payload: Buffer, opts: { qos: 0 | 1; retain: boolean }): Promise<void> {
    const packet: PublishPacket = { cmd: 'publish', topic, payload, qos: opts.qos, retain: opts.retain, dup: false };
    await new Promise<void>((resolve, reject) =>
      this.aedes.publish(packet, (err?: Error) => (err ? reject(err) : resolve())),
    );
  }

  get listening(): boolean {
    return this.server?.listening ?? false;
  }

  /** Listens on `port` (0 = any free port). A taken port fails with a message naming the setting. */
  async listen(port: number, host: string): Promise<number> {
    const max = this.limits.maxPacketBytes;
    const server = createServer((conn) => {
      const client = this.aedes.handle(conn);
      limitPacketSize(client, max, () => this.counters.oversizedPackets++);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        reject(
          err.code === 'EADDRINUSE'
            ? new Error(
                `MQTT port ${port} is already in use: set LECTERN_MQTT_PORT to a free port, or to "auto" to pick one`,
              )
            : err,
        );
      });
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    const addr = server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : port;
    return this.port;
  }

  get connectedClients(): number {
    return this.aedes.connectedClients;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Devices keep TCP connections open; aedes.close ended their clients, drop leftovers.
        setTimeout(resolve, 1000).unref();
      });
    }
  }
}
