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
}

export interface BrokerCounters {
  authFailures: number;
  deniedPublishes: number;
  deniedSubscribes: number;
}

const principals = new WeakMap<Client, MqttPrincipal>();
/** Topics a connection was already allowed to publish to; mayPublish admits only a handful per principal. */
const grantedTopics = new WeakMap<Client, Set<string>>();

function authError(message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: 4 as const });
}

/** The embedded aedes broker on a TCP port, with per-device authentication and topic ACL. */
export class EmbeddedBroker {
  readonly counters: BrokerCounters = { authFailures: 0, deniedPublishes: 0, deniedSubscribes: 0 };
  private readonly aedes: Aedes;
  private server: Server | null = null;
  port = 0;

  constructor(private readonly auth: BrokerAuth) {
    this.aedes = createBroker({
      authenticate: (client, username, password, done) => {
        this.authenticate(client, username, password).then(
          (ok) =>
            ok ? done(null, true) : (this.counters.authFailures++, done(authError('bad username or password'), false)),
          () => done(authError('authentication unavailable'), false),
        );
      },
      authorizePublish: (client, packet, done) => {
        if (!client) return done(null); // the broker's own publishes ($SYS, wills already vetted)
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
  }

  private async authenticate(client: Client, username?: string, password?: Buffer): Promise<boolean> {
    if (!username || !password) return false;
    const secret = password.toString('utf8');
    if (username === this.auth.serviceUsername) {
      if (!sameSecret(secret, this.auth.servicePassword)) return false;
      principals.set(client, { kind: 'cloud' });
      return true;
    }
    if (!(await this.auth.checkDevice(username, secret))) return false;
    principals.set(client, { kind: 'device', deviceId: username });
    return true;
  }

  /**
   * The cloud's own subscriptions, in-process: no loopback MQTT connection, no second encode/decode of each
   * message. Devices still go through authenticate / authorizePublish. A QoS 1 PUBACK goes back to the
   * device only once every handler called back, so a handler that returns a promise (writer back-pressure)
   * holds the device's publish window. Call before `listen`, so no device publishes before the cloud listens.
   */
  async subscribe(filters: readonly string[], onMessage: MessageHandler): Promise<void> {
    const deliver = (packet: AedesPublishPacket, done: () => void): void => {
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
    const server = createServer(this.aedes.handle);
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
