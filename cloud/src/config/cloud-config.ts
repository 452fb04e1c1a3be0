import { resolve } from 'node:path';
import { z } from 'zod';
import type { AlertSettings } from '../alerts/alert-settings';

/** Everything the cloud reads from its environment, validated once at boot. */
export interface CloudConfig {
  httpPort: number;
  httpHost: string;
  dataDir: string;
  dbUrl: string;
  /** External broker URL; null runs the embedded aedes broker. */
  mqttUrl: string | null;
  mqttUsername: string | null;
  mqttPassword: string | null;
  /**
   * The ingest client's id on an external broker. Fixed, with a persistent session, so the broker queues
   * snapshots (QoS 1) while the cloud is down; two cloud instances on one broker need different ids.
   */
  mqttClientId: string;
  /** Embedded broker TCP port; 'auto' picks a free one. */
  mqttPort: number | 'auto';
  /**
   * Host the embedded broker binds to: LECTERN_MQTT_HOST, else the HTTP host (loopback by default); set
   * LECTERN_MQTT_HOST=0.0.0.0 explicitly to let devices on the network connect.
   */
  mqttHost: string;
  /** Embedded broker: largest MQTT packet (CONNECT included) in bytes; bigger ones close the connection. */
  mqttMaxPacketBytes: number;
  /** Embedded broker: largest retained message a device may store, in bytes. */
  mqttMaxRetainedBytes: number;
  minGroupSize: number;
  jwtSecret: string | null;
  adminPassword: string | null;
  uploadMaxMb: number;
  /**
   * Longest video an upload may hold, in minutes: checked with ffprobe before a job is queued, and the
   * analysis stops there even when the file's header claims less (see jobs/video-limits.ts).
   */
  uploadMaxMinutes: number;
  /** Uploads per user in any 24 hours (rolling, every outcome counted, admins too); beyond it 429. */
  uploadQuotaPerDay: number;
  /** Uploads per user waiting for or in analysis at the same time; beyond it 429. */
  uploadQuotaConcurrent: number;
  retentionDays: number;
  /** Audit log rows older than this are deleted by the retention job. */
  auditRetentionDays: number;
  /** Auto sessions: start after faces are seen this long, stop after no faces this long. */
  autoSessionStartS: number;
  autoSessionStopS: number;
  /** Where the dashboard build lives; missing folder = API only. */
  webDir: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  logFormat: 'json' | 'pretty';
  /** Wrong passwords allowed per (account, client address) and minute before 429 (see auth/login-limiter.ts). */
  loginFailuresPerMinute: number;
  /** Wrong passwords per account and minute, all addresses together, before the account is "under attack". */
  loginAccountFailuresPerMinute: number;
  /**
   * Express `trust proxy` value: false (default) trusts no X-Forwarded-* header; a hop count or a list of
   * addresses/subnets ("loopback", "10.0.0.0/8") trusts those proxies.
   */
  trustProxy: false | number | string;
  /** Serve GET /metrics without a token (otherwise an admin token or LECTERN_METRICS_TOKEN is needed). */
  publicMetrics: boolean;
  /** Static bearer token for Prometheus scrapes of /metrics; null = admin tokens only. */
  metricsToken: string | null;
  /** Serve Swagger UI and the OpenAPI JSON under /api/docs without a token (otherwise admin only). */
  publicDocs: boolean;
  /** Send Strict-Transport-Security on every response (it is always sent on requests that arrived over https). */
  hsts: boolean;
  /** Device health alert rules and webhook (LECTERN_ALERT_*, LECTERN_HEALTH_HISTORY_DAYS; docs/alerts.md). */
  alerts: AlertSettings;
  /**
   * Broker URLs devices are given (first one in device.yaml), from LECTERN_PUBLIC_MQTT_URL (comma-separated);
   * empty: the broker's own URL, which must not be loopback outside local mode (devices/public-endpoints.ts).
   */
  publicMqttUrls: string[];
  /** Dashboard URL people and QR codes are given (LECTERN_PUBLIC_URL); null: the address the browser used, local mode only. */
  publicUrl: string | null;
  /**
   * Local/demo mode: loopback addresses may be handed out to devices and people. LECTERN_LOCAL_MODE, by default
   * on exactly when the cloud listens on loopback only (HTTP and embedded broker), so nothing else can reach it.
   */
  localMode: boolean;
}

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().min(1);
const onOff = z
  .enum(['0', '1', 'false', 'true', 'no', 'yes', 'off', 'on'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === '' ? null : v));

const envSchema = z.object({
  LECTERN_HTTP_PORT: port.default(8080),
  LECTERN_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  LECTERN_DATA_DIR: z.string().min(1).optional(),
  LECTERN_DB_URL: z
    .string()
    .regex(/^(sqlite:|postgres(ql)?:\/\/)/, 'must start with sqlite: or postgres://')
    .optional(),
  LECTERN_MQTT_URL: z
    .string()
    .regex(/^(mqtts?|wss?|tcp):\/\//, 'must be an mqtt://, mqtts://, ws:// or wss:// URL')
    .optional(),
  LECTERN_MQTT_USERNAME: optionalText,
  LECTERN_MQTT_PASSWORD: optionalText,
  LECTERN_MQTT_CLIENT_ID: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "-" or "_"')
    .default('lectern-cloud-ingest'),
  LECTERN_MQTT_PORT: z.union([z.literal('auto'), port]).default(1883),
  LECTERN_MQTT_HOST: z.string().min(1).optional(),
  LECTERN_MQTT_MAX_PACKET_KB: positiveInt.max(262_144).default(256),
  LECTERN_MQTT_MAX_RETAINED_KB: positiveInt.max(262_144).default(16),
  LECTERN_MIN_GROUP_SIZE: positiveInt.default(3),
  LECTERN_JWT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  LECTERN_ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  LECTERN_UPLOAD_MAX_MB: positiveInt.default(500),
  LECTERN_UPLOAD_MAX_MINUTES: positiveInt.max(1440, 'must be at most 1440 (24 h)').default(180),
  LECTERN_UPLOAD_QUOTA_PER_DAY: positiveInt.default(10),
  LECTERN_UPLOAD_QUOTA_CONCURRENT: positiveInt.default(3),
  LECTERN_RETENTION_DAYS: positiveInt.default(30),
  LECTERN_AUDIT_RETENTION_DAYS: positiveInt.default(180),
  LECTERN_AUTO_SESSION_START_S: z.coerce.number().min(0).default(10),
  LECTERN_AUTO_SESSION_STOP_S: z.coerce.number().min(1).default(120),
  LECTERN_WEB_DIR: z.string().min(1).optional(),
  LECTERN_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  LECTERN_LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  LECTERN_LOGIN_FAILURES_PER_MINUTE: positiveInt.default(10),
  LECTERN_LOGIN_ACCOUNT_FAILURES_PER_MINUTE: positiveInt.default(50),
  LECTERN_TRUST_PROXY: z
    .string()
    .regex(
      /^(|false|\d{1,2}|[A-Za-z0-9.:/]+(\s*,\s*[A-Za-z0-9.:/]+)*)$/,
      'must be empty/false, a hop count, or a comma-separated list of addresses, subnets or loopback/linklocal/uniquelocal',
    )
    .refine((v) => v !== 'true', 'true would trust X-Forwarded-For from anyone: name the proxy addresses instead')
    .optional(),
  LECTERN_PUBLIC_METRICS: onOff.default(false),
  LECTERN_METRICS_TOKEN: z.union([z.literal(''), z.string().min(16, 'must be at least 16 characters')]).optional(),
  LECTERN_PUBLIC_DOCS: onOff.default(false),
  LECTERN_HSTS: onOff.default(false),
  LECTERN_ALERT_WEBHOOK_URL: z
    .union([
      z.literal(''),
      z.string().regex(/^https?:\/\/\S+$/, 'must be the http:// or https:// URL alerts are POSTed to'),
    ])
    .optional(),
  LECTERN_ALERT_EVAL_S: z.coerce.number().min(0.1).max(300).default(5),
  LECTERN_ALERT_OFFLINE_S: z.coerce.number().min(1).default(120),
  LECTERN_ALERT_SILENT_S: z.coerce.number().min(0).default(300),
  LECTERN_ALERT_OUTBOX_DEPTH: z.coerce.number().int().min(0).default(600),
  LECTERN_ALERT_TEMPERATURE_C: z.coerce.number().min(0).max(150).default(80),
  LECTERN_ALERT_FPS_MIN: z.coerce.number().min(0).default(0.1),
  LECTERN_ALERT_FPS_DROP_RATIO: z.coerce.number().min(0).max(1).default(0.5),
  LECTERN_ALERT_SOURCE_FAILURE: onOff.default(true),
  LECTERN_HEALTH_HISTORY_DAYS: positiveInt.default(14),
  LECTERN_ALERT_RETENTION_DAYS: positiveInt.default(90),
  LECTERN_PUBLIC_MQTT_URL: z
    .string()
    .regex(
      /^\s*(mqtts?|wss?|tcp|ssl):\/\/[^\s,]+(\s*,\s*(mqtts?|wss?|tcp|ssl):\/\/[^\s,]+)*\s*$/,
      'must be one or more comma-separated mqtt://, mqtts://, ws:// or wss:// URLs devices can reach',
    )
    .optional(),
  LECTERN_PUBLIC_URL: z
    .string()
    .regex(/^https?:\/\/[^\s]+$/, 'must be the http:// or https:// address people open the dashboard at')
    .optional(),
  LECTERN_LOCAL_MODE: onOff.optional(),
});

export class ConfigError extends Error {}

function parseTrustProxy(v: string | undefined): false | number | string {
  if (v === undefined || v === '' || v === 'false') return false;
  return /^\d+$/.test(v) ? Number(v) : v;
}

/** Reads LECTERN_* variables from `env`; an invalid value fails with one readable line per problem. */
export function configFromEnv(env: Record<string, string | undefined>, cwd = process.cwd()): CloudConfig {
  const picked = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k.startsWith('LECTERN_') && v !== undefined),
  );
  const parsed = envSchema.safeParse(picked);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid cloud configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const localMode =
    e.LECTERN_LOCAL_MODE ??
    (isLoopbackHost(e.LECTERN_HTTP_HOST) &&
      (e.LECTERN_MQTT_URL ? true : isLoopbackHost(e.LECTERN_MQTT_HOST ?? e.LECTERN_HTTP_HOST)));
  const publicMqttUrls = (e.LECTERN_PUBLIC_MQTT_URL ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
  const publicUrl = e.LECTERN_PUBLIC_URL ? e.LECTERN_PUBLIC_URL.replace(/\/+$/, '') : null;
  const loopback = [...publicMqttUrls, ...(publicUrl ? [publicUrl] : [])].filter((u) => isLoopbackUrl(u));
  if (loopback.length > 0 && !localMode) {
    throw new ConfigError(
      `invalid cloud configuration:\n  LECTERN_PUBLIC_MQTT_URL / LECTERN_PUBLIC_URL: ${loopback.join(', ')} only reaches this machine; set the address devices and people use, or LECTERN_LOCAL_MODE=1 for a demo on this machine`,
    );
  }
  const dataDir = resolve(cwd, e.LECTERN_DATA_DIR ?? '.lectern-data');
  return {
    httpPort: e.LECTERN_HTTP_PORT,
    httpHost: e.LECTERN_HTTP_HOST,
    dataDir,
    dbUrl: e.LECTERN_DB_URL ?? `sqlite:${resolve(dataDir, 'lectern.db')}`,
    mqttUrl: e.LECTERN_MQTT_URL ?? null,
    mqttUsername: e.LECTERN_MQTT_USERNAME,
    mqttPassword: e.LECTERN_MQTT_PASSWORD,
    mqttClientId: e.LECTERN_MQTT_CLIENT_ID,
    mqttPort: e.LECTERN_MQTT_PORT,
    mqttHost: e.LECTERN_MQTT_HOST ?? e.LECTERN_HTTP_HOST,
    mqttMaxPacketBytes: e.LECTERN_MQTT_MAX_PACKET_KB * 1024,
    mqttMaxRetainedBytes: e.LECTERN_MQTT_MAX_RETAINED_KB * 1024,
    minGroupSize: e.LECTERN_MIN_GROUP_SIZE,
    jwtSecret: e.LECTERN_JWT_SECRET ?? null,
    adminPassword: e.LECTERN_ADMIN_PASSWORD ?? null,
    uploadMaxMb: e.LECTERN_UPLOAD_MAX_MB,
    uploadMaxMinutes: e.LECTERN_UPLOAD_MAX_MINUTES,
    uploadQuotaPerDay: e.LECTERN_UPLOAD_QUOTA_PER_DAY,
    uploadQuotaConcurrent: e.LECTERN_UPLOAD_QUOTA_CONCURRENT,
    retentionDays: e.LECTERN_RETENTION_DAYS,
    auditRetentionDays: e.LECTERN_AUDIT_RETENTION_DAYS,
    autoSessionStartS: e.LECTERN_AUTO_SESSION_START_S,
    autoSessionStopS: e.LECTERN_AUTO_SESSION_STOP_S,
    webDir: resolve(cwd, e.LECTERN_WEB_DIR ?? resolve(__dirname, '../../web-dist')),
    logLevel: e.LECTERN_LOG_LEVEL,
    loginFailuresPerMinute: e.LECTERN_LOGIN_FAILURES_PER_MINUTE,
    loginAccountFailuresPerMinute: e.LECTERN_LOGIN_ACCOUNT_FAILURES_PER_MINUTE,
    trustProxy: parseTrustProxy(e.LECTERN_TRUST_PROXY),
    publicMetrics: e.LECTERN_PUBLIC_METRICS,
    metricsToken: e.LECTERN_METRICS_TOKEN || null,
    publicDocs: e.LECTERN_PUBLIC_DOCS,
    hsts: e.LECTERN_HSTS,
    alerts: {
      webhookUrl: e.LECTERN_ALERT_WEBHOOK_URL || null,
      evalIntervalMs: Math.round(e.LECTERN_ALERT_EVAL_S * 1000),
      offlineS: e.LECTERN_ALERT_OFFLINE_S,
      silentS: e.LECTERN_ALERT_SILENT_S,
      outboxDepth: e.LECTERN_ALERT_OUTBOX_DEPTH,
      temperatureC: e.LECTERN_ALERT_TEMPERATURE_C,
      fpsMin: e.LECTERN_ALERT_FPS_MIN,
      fpsDropRatio: e.LECTERN_ALERT_FPS_DROP_RATIO,
      sourceFailure: e.LECTERN_ALERT_SOURCE_FAILURE,
      historyDays: e.LECTERN_HEALTH_HISTORY_DAYS,
      retentionDays: e.LECTERN_ALERT_RETENTION_DAYS,
    },
    logFormat: e.LECTERN_LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json'),
    publicMqttUrls,
    publicUrl,
    localMode,
  };
}

/** A URL nobody else can use: a loopback or wildcard host (unparseable URLs count too: never handed out). */
export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return isLoopbackHost(host) || host === '0.0.0.0' || host === '::';
  } catch {
    return true;
  }
}

/** A host name or bind address only this machine reaches (the wildcard addresses 0.0.0.0 and :: are not). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return (
    h === 'localhost' ||
    h.endsWith('.localhost') ||
    /^127\.\d+\.\d+\.\d+$/.test(h) ||
    h === '::1' ||
    h === '0:0:0:0:0:0:0:1' ||
    h === '::ffff:127.0.0.1'
  );
}

/**
 * Overrides are either typed CloudConfig fields or env-like LECTERN_* strings (handy for tests);
 * env-like keys are layered over the process environment before validation.
 */
export function resolveConfig(
  overrides: Partial<CloudConfig> | Record<string, string> = {},
  env: Record<string, string | undefined> = process.env,
): CloudConfig {
  const envLike: Record<string, string> = {};
  const typed: Partial<CloudConfig> = {};
  for (const [k, v] of Object.entries(overrides)) {
    if (k.startsWith('LECTERN_')) envLike[k] = typeof v === 'string' ? v : JSON.stringify(v);
    else (typed as Record<string, unknown>)[k] = v;
  }
  const base = configFromEnv({ ...env, ...envLike });
  const merged = { ...base, ...typed };
  // A typed dataDir without a typed dbUrl moves the default SQLite file with it.
  if (typed.dataDir && !typed.dbUrl && !env.LECTERN_DB_URL && !envLike.LECTERN_DB_URL) {
    merged.dbUrl = `sqlite:${resolve(typed.dataDir, 'lectern.db')}`;
  }
  return merged;
}
