import { encode, topicFor, type Snapshot, type Telemetry } from '@lectern/protocol';
import type { AgentConfig } from '../config/agent-config';
import { MqttLink } from '../link/mqtt-link';
import { Outbox } from '../outbox/outbox';
import {
  createDetector,
  createEmotionModel,
  DEFAULT_TRACKER,
  FaceSizeTally,
  FfmpegSource,
  FramePipeline,
  type DetectorKind,
  type EmotionModel,
  type FaceDetector,
  type FrameResult,
  type FrameSource,
  type GrayImage,
} from '@lectern/vision';
import { Control } from './control';
import { DetectionRate } from './detection-rate';
import { ModelStore } from './model-store';
import { RepeatFilter } from './repeat-filter';
import { CpuMeter, Ema, socTemperatureC } from './telemetry';
import { drawOverlay } from '../preview/overlay';
import { PreviewServer } from '../preview/preview-server';
import { aimReport } from '../aim/aim-report';
import { RecentFaceSizes } from '../aim/recent-face-sizes';

export const SOFTWARE_VERSION = 'lectern-device/0.1.0';

/**
 * How long a listener stays tracked without being detected, and how old a frame may be and still describe
 * the room: 3 s, or 2.5 detection intervals when detection runs slower than that.
 */
export function trackMemoryMs(detectionHz: number): number {
  return Math.max(DEFAULT_TRACKER.maxMissMs, 2500 / detectionHz);
}

export interface AgentLogger {
  info(msg: string): void;
  error(msg: string): void;
}

const stderrLogger: AgentLogger = {
  info: (m) => console.error(`${new Date().toISOString()} ${m}`),
  error: (m) => console.error(`${new Date().toISOString()} ERROR ${m}`),
};

/**
 * The edge agent: frames -> pipeline -> snapshots (outbox -> MQTT) at snapshotHz, telemetry every
 * telemetryIntervalS, live config and commands from the cloud. Nothing in here ends the process on bad
 * input: a broken source reconnects, a bad config or model update is refused and reported.
 */
export class Agent {
  private readonly startedAt = Date.now();
  private snapshotTimer: NodeJS.Timeout | undefined;
  private telemetryTimer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private stopped = false;
  private readonly fps = new Ema();
  private readonly detectMs = new Ema();
  private readonly classifyMs = new Ema();
  private readonly cpu = new CpuMeter();
  private lastFrameAt = 0;
  private lastFaces = 0;
  private retiredDetector: FaceDetector | null = null;
  private lastSnapshotCapturedAt = 0;
  private preview: PreviewServer | null = null;
  /** Sizes of the faces detected since the last telemetry (its `faceSizes`). */
  private readonly faceSizes: FaceSizeTally;
  /** Sizes of the faces of the last seconds, for the preview's histogram. */
  private readonly recentFaceSizes = new RecentFaceSizes();
  readonly control: Control;

  private constructor(
    public config: AgentConfig,
    readonly outbox: Outbox,
    readonly link: MqttLink,
    private source: FrameSource,
    readonly pipeline: FramePipeline,
    public model: EmotionModel | null,
    readonly models: ModelStore,
    private detector: FaceDetector,
    readonly log: AgentLogger,
    readonly rate: DetectionRate,
  ) {
    this.control = new Control(this);
    this.faceSizes = new FaceSizeTally(pipeline.settings.minReadablePx);
  }

  static async start(config: AgentConfig, log: AgentLogger = stderrLogger): Promise<Agent> {
    const outbox = new Outbox(config.dataDir, config.outbox);
    const models = new ModelStore(config.dataDir);
    const installed = models.active();
    const detector = await createDetector({
      detector: config.detector,
      haarBackend: config.haarBackend,
      threads: config.threads,
    });
    let model: EmotionModel | null = null;
    try {
      model = await createEmotionModel({
        modelPath: installed?.path ?? config.model.path,
        variant: config.model.variant,
        threads: config.threads,
      });
    } catch (err) {
      if (!installed) throw err;
      // A model that passed its smoke test but no longer loads: fall back to the previous one.
      log.error(`installed model ${installed.modelId} failed to load (${(err as Error).message}); rolling back`);
      models.rollback();
      model = await createEmotionModel({
        modelPath: models.active()?.path ?? config.model.path,
        variant: config.model.variant,
        threads: config.threads,
      });
    }
    const modelRef = { id: installed?.modelId ?? model.modelId, version: installed?.version ?? model.version };
    const pipeline = new FramePipeline(detector, model, {
      detection: { ...config.detection },
      emotionEnabled: config.emotion.enabled,
      smoothingAlpha: config.emotion.smoothingAlpha,
      cropMargin: config.emotion.cropMargin,
      align: config.emotion.align,
      minReadablePx: config.emotion.minReadablePx,
    });
    const rate = new DetectionRate(config.detection.hz);
    const source = Agent.createSource(config, rate.hz);
    const holder: { agent?: Agent } = {};
    const mqttErrors = new RepeatFilter((m) => log.error(m));
    const link = new MqttLink(outbox, {
      brokerUrl: config.broker.url,
      username: config.broker.username,
      password: config.broker.password,
      clientId: config.broker.clientId,
      caFile: config.broker.caFile,
      identity: { deviceId: config.deviceId, software: SOFTWARE_VERSION, model: modelRef },
      onConfig: (p) => holder.agent?.control.onConfig(p),
      onCommand: (p) => holder.agent?.control.onCommand(p),
      onError: (err) => mqttErrors.report(`mqtt: ${err.message}`),
    });
    const agent = new Agent(config, outbox, link, source, pipeline, model, models, detector, log, rate);
    holder.agent = agent;
    pipeline.tracker.setMaxMissMs(trackMemoryMs(agent.rate.hz));
    log.info(
      `detector ${detector.name}, detection ${agent.rate.auto ? `auto (starting at ${agent.rate.hz} Hz)` : `${agent.rate.hz} Hz`}`,
    );
    agent.modelRef = modelRef;
    if (config.preview.enabled) await agent.setPreview(true).catch((err: unknown) => log.error((err as Error).message));
    agent.run();
    log.info(
      `agent ${config.deviceId} (room ${config.roomId}) started; epoch ${outbox.epoch}, next seq ${outbox.nextSeq()}, outbox depth ${outbox.depth()}`,
    );
    return agent;
  }

  modelRef: { id: string; version: string } = { id: 'none', version: '0' };

  private static createSource(config: AgentConfig, hz: number): FfmpegSource {
    return new FfmpegSource({ spec: config.source, fps: hz, width: config.frameWidth, height: undefined });
  }

  private run(): void {
    this.loop = this.frameLoop().catch((err: unknown) => this.log.error(`frame loop: ${(err as Error).message}`));
    this.scheduleSnapshots();
    this.scheduleTelemetry();
  }

  private async frameLoop(): Promise<void> {
    let lastSourceState = '';
    const watch = setInterval(() => {
      const h = this.source.health();
      const line = `${h.state}${h.error ? `: ${h.error}` : ''}`;
      if (line !== lastSourceState) this.log.info(`source ${line}`);
      lastSourceState = line;
    }, 1000);
    try {
      for await (const frame of this.source.frames()) {
        if (this.stopped) break;
        try {
          const r = await this.pipeline.process(frame.image, frame.capturedAt);
          this.retiredDetector?.dispose();
          this.retiredDetector = null;
          this.detectMs.add(r.times.detectMs);
          this.classifyMs.add(r.times.classifyMs);
          this.lastFaces = r.boxes.length;
          this.faceSizes.add(r.sizesPx);
          this.recentFaceSizes.add(frame.capturedAt, r.sizesPx);
          const next = this.rate.observe(r.times.detectMs + r.times.cropMs + r.times.classifyMs);
          if (next !== null) {
            this.log.info(`detection rate ${next} Hz (a pass costs ${Math.round(this.detectMs.value)} ms detect)`);
            this.restartSource();
          }
          if (this.lastFrameAt) this.fps.add(1000 / Math.max(1, frame.capturedAt - this.lastFrameAt));
          this.lastFrameAt = frame.capturedAt;
          if (this.preview?.watched) this.showPreview(frame.image, r, frame.capturedAt);
        } catch (err) {
          this.log.error(`frame ${frame.index}: ${(err as Error).message}`);
        }
      }
    } finally {
      clearInterval(watch);
    }
  }

  /** A new configured detection rate ('auto' or Hz); reopens the source when the rate in force changes. */
  setDetectionHz(hz: 'auto' | number): void {
    this.config.detection.hz = hz;
    if (this.rate.configure(hz)) this.restartSource();
  }

  /** Swaps the detector plugin (remote config); the old one is disposed once the new one is in place. */
  async setDetector(kind: DetectorKind): Promise<void> {
    if (kind === this.detector.kind) return;
    const next = await createDetector({
      detector: kind,
      haarBackend: this.config.haarBackend,
      threads: this.config.threads,
    });
    // A pass may be running on the old detector right now: it is disposed once the frame loop is past it.
    this.retiredDetector?.dispose();
    this.retiredDetector = this.detector;
    this.detector = next;
    this.pipeline.setDetector(next);
    this.config.detector = kind;
    this.log.info(`detector ${next.name}`);
  }

  /** Reopens the source at the rate in force; the pipeline and its tracks carry on. */
  restartSource(): void {
    this.pipeline.tracker.setMaxMissMs(trackMemoryMs(this.rate.hz));
    const old = this.source;
    const previousLoop = this.loop;
    this.source = Agent.createSource(this.config, this.rate.hz);
    this.loop = (async () => {
      await old.close();
      await previousLoop;
      if (!this.stopped) await this.frameLoop();
    })().catch((err: unknown) => this.log.error(`frame loop: ${(err as Error).message}`));
  }

  /** A new readable face size (remote config): takes effect for the next frame and snapshot. */
  setMinReadablePx(px: number): void {
    this.config.emotion.minReadablePx = px;
    this.pipeline.settings.minReadablePx = px;
    this.faceSizes.minReadablePx = px;
  }

  /** URL of the local debug preview, null while it is off. */
  get previewUrl(): string | null {
    return this.preview?.url ?? null;
  }

  /**
   * Starts or stops the local MJPEG preview (127.0.0.1 only). Returns its URL, or null when off; throws
   * with a readable reason (port taken) and leaves the agent running either way.
   */
  async setPreview(enabled: boolean): Promise<string | null> {
    if (!enabled) {
      const old = this.preview;
      this.preview = null;
      if (old) {
        await old.close();
        this.log.info('preview: off');
      }
      return null;
    }
    if (this.preview) return this.preview.url;
    this.preview = await PreviewServer.start(this.config.preview.port, () =>
      aimReport(this.recentFaceSizes.summary(Date.now(), this.pipeline.settings.minReadablePx), {
        ...this.config,
        detection: { ...this.config.detection, ...this.pipeline.settings.detection },
      }),
    );
    this.log.info(`preview: ${this.preview.url} (local debug view; frames never leave this machine)`);
    return this.preview.url;
  }

  private showPreview(image: GrayImage, r: FrameResult, now: number): void {
    const tracks = new Map(this.pipeline.tracker.active(now).map((t) => [t.id, t]));
    const faces = r.boxes.map((box, i) => ({
      box,
      trackId: r.trackIds[i]!,
      sizePx: r.sizesPx[i]!,
      readable: r.readable[i]!,
      p: this.pipeline.settings.emotionEnabled && r.readable[i] ? (tracks.get(r.trackIds[i]!)?.p ?? null) : null,
    }));
    const footer = `${this.config.deviceId}  ${this.detector.name} ${Math.round(r.times.detectMs)} ms  faces ${faces.length} (${faces.filter((f) => !f.readable).length} small)  ${this.fps.value.toFixed(1)} fps`;
    this.preview?.show(drawOverlay(image, faces, footer));
  }

  scheduleSnapshots(): void {
    clearInterval(this.snapshotTimer);
    this.snapshotTimer = setInterval(() => this.publishSnapshot(), 1000 / this.config.snapshotHz);
  }

  scheduleTelemetry(): void {
    clearInterval(this.telemetryTimer);
    this.telemetryTimer = setInterval(() => this.publishTelemetry(), this.config.telemetryIntervalS * 1000);
  }

  private publishSnapshot(): void {
    try {
      const now = Date.now();
      const room = this.pipeline.roomState(now);
      // Without a recent frame (starting up, camera away) the snapshot describes "now"; never let the time
      // go backwards when a frame captured a moment earlier arrives.
      const frameAt = now - this.lastFrameAt < trackMemoryMs(this.rate.hz) ? this.lastFrameAt : now;
      const capturedAt = Math.max(this.lastSnapshotCapturedAt, frameAt);
      this.lastSnapshotCapturedAt = capturedAt;
      this.outbox.enqueue((seq) => {
        const snapshot: Snapshot = {
          v: 1,
          deviceId: this.config.deviceId,
          roomId: this.config.roomId,
          epoch: this.outbox.epoch,
          seq,
          capturedAt,
          ...room,
          model: this.modelRef,
          emotionEnabled: this.pipeline.settings.emotionEnabled,
        };
        return { topic: topicFor('snapshot', this.config.deviceId), payload: encode('snapshot', snapshot) };
      }, now);
      this.link.pump();
    } catch (err) {
      this.log.error(`snapshot: ${(err as Error).message}`);
    }
  }

  telemetry(): Telemetry {
    const h = this.source.health();
    return {
      v: 1,
      deviceId: this.config.deviceId,
      ts: Date.now(),
      fps: round(this.fps.value),
      detectMs: round(this.detectMs.value),
      classifyMs: round(this.classifyMs.value),
      detector: this.detector.name,
      detectHz: this.rate.hz,
      facesFound: this.lastFaces,
      faceSizes: { counts: this.faceSizes.take().counts, minReadablePx: this.pipeline.settings.minReadablePx },
      cpuPercent: round(this.cpu.sample()),
      memoryMb: round(process.memoryUsage().rss / 2 ** 20),
      temperatureC: socTemperatureC(),
      outboxDepth: this.outbox.depth(),
      outboxDropped: this.outbox.dropped(),
      uptimeS: round((Date.now() - this.startedAt) / 1000),
      source: { state: h.state, reconnects: h.reconnects, ...(h.error ? { error: h.error.slice(0, 300) } : {}) },
    };
  }

  private publishTelemetry(): void {
    try {
      this.link.publishTelemetry(this.telemetry());
    } catch (err) {
      this.log.error(`telemetry: ${(err as Error).message}`);
    }
  }

  /** Swaps the live classifier (OTA); the old one is closed once nothing uses it. */
  async replaceModel(model: EmotionModel, ref: { id: string; version: string }): Promise<void> {
    const old = this.model;
    this.model = model;
    this.pipeline.setModel(model);
    this.modelRef = ref;
    this.link.setModel(ref);
    await old?.close();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.snapshotTimer);
    clearInterval(this.telemetryTimer);
    await this.source.close();
    await this.loop;
    await this.setPreview(false);
    await this.link.stop();
    this.outbox.close();
    this.detector.dispose();
    this.retiredDetector?.dispose();
    await this.model?.close();
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
