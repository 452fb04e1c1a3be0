import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import {
  DEFAULT_CROP_MARGIN,
  DEFAULT_DETECTION,
  DEFAULT_DETECTOR,
  DEFAULT_MIN_READABLE_PX,
  DEFAULT_PIPELINE,
  DETECTOR_KINDS,
} from '@lectern/vision';
import { snapshotHzSchema } from '@lectern/protocol';

const slug = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a lowercase slug (a-z, 0-9, "-", "_")');
const fraction = z.number().min(0).max(1);
/** The same range the protocol's `reading.minReadablePx` allows, so every configured value can be reported. */
export const minReadablePxSchema = z
  .number({ error: "must be a number of pixels (the face box's longer side), e.g. 16" })
  .int('must be a whole number of pixels, e.g. 16')
  .min(1, 'must be at least 1 px (1 reads every face)')
  .max(2000, 'must be at most 2000 px');

const sourceSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('file'),
    path: z.string().min(1),
    loop: z.boolean().default(true),
    realtime: z.boolean().default(true),
  }),
  z.strictObject({
    type: z.literal('v4l2'),
    device: z.string().default('/dev/video0'),
    width: z.number().int().positive().optional(),
    height: z.number().int().positive().optional(),
  }),
  z.strictObject({
    type: z.literal('rtsp'),
    url: z.string().regex(/^rtsps?:\/\//, 'must start with rtsp:// or rtsps://'),
  }),
  z.strictObject({
    type: z.literal('http'),
    url: z.string().regex(/^https?:\/\//, 'must start with http:// or https://'),
  }),
]);

export const agentConfigSchema = z.strictObject({
  deviceId: slug,
  roomId: slug,
  broker: z.strictObject({
    url: z.string().regex(/^(mqtts?|wss?|tcp|ssl):\/\//, 'must be an mqtt://, mqtts://, ws:// or wss:// URL'),
    username: z.string().optional(),
    password: z.string().optional(),
    /** Defaults to lectern-<deviceId>. */
    clientId: z.string().optional(),
    /** CA bundle for mqtts:// with a private CA. */
    caFile: z.string().optional(),
  }),
  /** Where the outbox, seq counter and OTA models live; must survive reboots. */
  dataDir: z.string().default('/var/lib/lectern-device'),
  source: sourceSchema,
  /** Scale frames to this width before anything else (keeps Haar cost bounded); omit to keep the stream's size. */
  frameWidth: z.number().int().min(64).max(4096).optional(),
  /** The face detector plugin: yunet (CNN, finds small and turned faces) or haar (the paper's cascade). */
  detector: z.enum(DETECTOR_KINDS).default(DEFAULT_DETECTOR),
  /** Haar only: which OpenCV build runs the cascade (auto = native when built, else WASM). */
  haarBackend: z.enum(['auto', 'native', 'wasm']).default('auto'),
  detection: z
    .strictObject({
      /**
       * Detection passes per second. 'auto' measures what a pass costs on this board and detects as often as a
       * CPU budget allows (see detection-rate.ts), up to the camera's rate.
       */
      hz: z.union([z.literal('auto'), z.number().min(0.1).max(30)]).default('auto'),
      scoreThreshold: z.number().min(0.05).max(1).default(DEFAULT_DETECTION.scoreThreshold),
      nmsIou: z.number().min(0.05).max(0.95).default(DEFAULT_DETECTION.nmsIou),
      upscale: z.number().min(1).max(4).default(DEFAULT_DETECTION.upscale),
      scaleFactor: z.number().min(1.01).max(2).default(1.1),
      minNeighbors: z.number().int().min(1).max(20).default(5),
      minFacePx: z.number().int().min(4).max(2000).default(DEFAULT_DETECTION.minFacePx),
      maxFacePx: z.number().int().min(12).max(4000).default(2000),
      downscale: z.number().min(0.1).max(1).default(1),
      roi: z.strictObject({ x: fraction, y: fraction, w: fraction, h: fraction }).nullable().default(null),
      // Extra in-plane passes (degrees) find tilted heads: [-30, 30] lifts recall from 0.90 to 0.96 on the
      // composed-audience eval for about 3-5x the detection time (docs/performance.md), so it is opt-in.
      rotations: z.array(z.number().min(-90).max(90)).max(6).default([]),
      equalize: z.boolean().default(false),
    })
    .prefault({}),
  emotion: z
    .strictObject({
      enabled: z.boolean().default(true),
      smoothingAlpha: z.number().min(0.01).max(1).default(0.5),
      /** Share of the Haar box added on every side before classifying; negative shrinks. See docs/metrics.md. */
      cropMargin: z.number().min(-0.2).max(1).default(DEFAULT_CROP_MARGIN),
      /** Align faces on FER2013's landmark template first (YuNet only); see docs/metrics.md for when it helps. */
      align: z.boolean().default(DEFAULT_PIPELINE.align),
      /**
       * Faces smaller than this (detector box's longer side, px of the frame after frameWidth) are counted but
       * not classified: the model cannot read them (vision's readable-size.ts; docs/device-install.md).
       */
      minReadablePx: minReadablePxSchema.default(DEFAULT_MIN_READABLE_PX),
    })
    .prefault({}),
  snapshotHz: snapshotHzSchema.default(1),
  telemetryIntervalS: z.number().min(1).max(3600).default(30),
  outbox: z
    .strictObject({
      maxMessages: z.number().int().min(10).default(100_000),
      maxAgeS: z
        .number()
        .min(60)
        .default(7 * 24 * 3600),
    })
    .prefault({}),
  model: z
    .strictObject({ variant: z.enum(['int8', 'fp32']).default('int8'), path: z.string().optional() })
    .prefault({}),
  /** Threads for ONNX Runtime and native OpenCV. */
  threads: z.number().int().min(1).max(64).default(1),
  /** Local MJPEG debug view on 127.0.0.1 (port 0 = any free port; the URL is logged). Off by default. */
  preview: z
    .strictObject({ enabled: z.boolean().default(false), port: z.number().int().min(0).max(65535).default(8090) })
    .prefault({}),
});

export type AgentConfig = z.infer<typeof agentConfigSchema>;
export type AgentConfigInput = z.input<typeof agentConfigSchema>;

export function parseAgentConfig(value: unknown, origin = 'config'): AgentConfig {
  const r = agentConfigSchema.safeParse(withBrokerAlias(value));
  if (!r.success) throw new Error(`invalid ${origin}:\n${z.prettifyError(r.error)}`);
  return r.data;
}

/** Reads and validates device.yaml; relative paths in it are taken relative to the file. */
export function loadAgentConfig(path: string): AgentConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read config ${path}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (err) {
    throw new Error(`config ${path} is not valid YAML: ${(err as Error).message}`);
  }
  const config = parseAgentConfig(value, `config ${path}`);
  const base = dirname(resolve(path));
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  config.dataDir = abs(config.dataDir);
  if (config.source.type === 'file') config.source.path = abs(config.source.path);
  if (config.model.path) config.model.path = abs(config.model.path);
  if (config.broker.caFile) config.broker.caFile = abs(config.broker.caFile);
  return config;
}

/**
 * Files written by the cloud's device registration name the broker section `mqtt:`; both are accepted. Configs
 * from before the detector plugins said `detector: native | wasm | auto` for the Haar build: read as Haar.
 */
function withBrokerAlias(value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const { mqtt, ...given } = value as Record<string, unknown>;
  let rest = given;
  if (rest.detector === 'native' || rest.detector === 'wasm' || rest.detector === 'auto')
    rest = { ...rest, detector: 'haar', haarBackend: rest.haarBackend ?? rest.detector };
  if (mqtt === undefined || 'broker' in rest) return rest;
  return { ...rest, broker: mqtt };
}
