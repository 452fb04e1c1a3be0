import { createServer, type Server } from 'node:net';
import type Aedes from 'aedes';
import { createBroker, type AuthenticateError, type Client } from 'aedes';
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
        const who = principals.get(client);
        if (who && mayPublish(who, packet.topic)) return done(null);
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
