import 'reflect-metadata';
import { ConsoleLogger, Logger, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { AuthService } from './auth/auth.service';
import { UsersService } from './auth/users.service';
import { resolveConfig, type CloudConfig } from './config/cloud-config';
import { assertNoPlaceholderSecrets, persistentSecret } from './config/secrets';
import { openDatabase } from './db/data-source';
import { acquireSingleNodeLock } from './db/single-node';
import { DeviceRegistry } from './devices/device-registry';
import { DevicesService, type ProvisionInput } from './devices/devices.service';
import { docsAccess } from './http/ops-access';
import { securityHeaders } from './http/security-headers';
import { serveDashboard } from './http/static-web';
import { IngestService } from './ingest/ingest.service';
import { MqttService } from './mqtt/mqtt.service';
import { RoomsService } from './rooms/rooms.service';
import { SessionsService } from './sessions/sessions.service';
import { startBackgroundJobs } from './background';

export interface CloudHandle {
  httpUrl: string;
  mqttUrl: string;
  config: CloudConfig;
  app: INestApplication;
  /** Admin password when it was generated on this boot (first run without LECTERN_ADMIN_PASSWORD). */
  generatedAdminPassword: string | null;
  close(): Promise<void>;
}

const LEVELS: Record<CloudConfig['logLevel'], LogLevel[] | false> = {
  debug: ['debug', 'log', 'warn', 'error', 'fatal'],
  info: ['log', 'warn', 'error', 'fatal'],
  warn: ['warn', 'error', 'fatal'],
  error: ['error', 'fatal'],
  silent: false,
};

/**
 * Boots the whole cloud: database (migrated), embedded broker or external broker client, ingestion,
 * background jobs and HTTP. `close()` stops everything in reverse order and flushes pending snapshots.
 */
export async function startCloud(overrides: Partial<CloudConfig> | Record<string, string> = {}): Promise<CloudHandle> {
  const config = resolveConfig(overrides);
  // A copied .env.example must not run with secrets everyone knows.
  assertNoPlaceholderSecrets({
    LECTERN_JWT_SECRET: config.jwtSecret,
    LECTERN_ADMIN_PASSWORD: config.adminPassword,
    LECTERN_MQTT_PASSWORD: config.mqttPassword,
    LECTERN_METRICS_TOKEN: config.metricsToken,
    LECTERN_DB_URL: config.dbUrl,
  });
  const jwtSecret = config.jwtSecret ?? persistentSecret(config.dataDir, 'jwt-secret');
  const ds: DataSource = await openDatabase(config.dbUrl);
  let app: NestExpressApplication | null = null;
  const stops: (() => Promise<void>)[] = [() => ds.destroy()];
  try {
    stops.push(await acquireSingleNodeLock(config.dbUrl, ds, config.mqttUrl));
  } catch (err) {
    await ds.destroy();
    throw err;
  }
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (err) {
        Logger.error(`shutdown step failed: ${(err as Error).message}`, 'Cloud');
      }
    }
    stops.length = 0;
  };
  try {
    const levels = LEVELS[config.logLevel];
    app = await NestFactory.create<NestExpressApplication>(AppModule.create(config, ds, jwtSecret), {
      // Structured (one JSON object per line) unless a human watches a terminal.
      logger: levels === false ? false : new ConsoleLogger({ logLevels: levels, json: config.logFormat === 'json' }),
      bodyParser: true,
    });
    const nest = app;
    stops.push(() => nest.close());
    // X-Forwarded-For / -Proto are believed only from the proxies LECTERN_TRUST_PROXY names (none by default):
    // otherwise any client could pick its own address for the login limiter and the audit log.
    app.set('trust proxy', config.trustProxy);
    app.disable('x-powered-by');
    app.use(securityHeaders({ hsts: config.hsts }));
    app.useBodyParser('json', { limit: '1mb' });
    const docs = SwaggerModule.createDocument(
      app,
      new DocumentBuilder().setTitle('Lectern cloud API').setVersion('1').addBearerAuth().build(),
    );
    if (!config.publicDocs) app.use(docsAccess(app.get(AuthService)));
    SwaggerModule.setup('api/docs', app, docs);
    serveDashboard(app, config.webDir);
    await app.init();

    await app.get(DeviceRegistry).load();
    await app.get(RoomsService).load();
    const users = app.get(UsersService);
    await users.bootstrapAdmin();
    const sessions = app.get(SessionsService);
    await sessions.load();
    const ingest = app.get(IngestService);
    const mqtt = app.get(MqttService);
    const server = app.getHttpServer();
    // Pushed in reverse of the order they must run: stop input (MQTT), drain the writer, flush
    // aggregates, cut live streams (SSE never ends by itself), then Nest and the database.
    stops.push(async () => {
      server.closeIdleConnections();
      await new Promise((r) => setTimeout(r, 50));
      server.closeAllConnections();
    });
    const background = await startBackgroundJobs(app);
    stops.push(background);
    stops.push(() => ingest.writer.close());
    await mqtt.start();
    stops.push(() => mqtt.stop());

    await app.listen(config.httpPort, config.httpHost);
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.httpPort;
    const host = ['0.0.0.0', '::'].includes(config.httpHost) ? '127.0.0.1' : config.httpHost;
    return {
      httpUrl: `http://${host}:${port}`,
      mqttUrl: mqtt.url,
      config,
      app,
      generatedAdminPassword: users.generatedAdminPassword,
      close: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Registers (or re-keys) a device through the same service the installer API uses. */
export async function provisionDevice(
  target: INestApplication | CloudHandle,
  input: ProvisionInput,
): Promise<{ username: string; password: string }> {
  const app = 'app' in target ? target.app : target;
  const { username, password } = await app.get(DevicesService).provision(input, { rotate: true });
  return { username, password };
}
