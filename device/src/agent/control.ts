import { decode, type Command, type CommandResponse, type DeviceConfig } from '@lectern/protocol';
import { createEmotionModel } from '@lectern/vision';
import type { Agent } from './agent';
import { smokeTestModel } from './smoke-test';
import { minReadablePxSchema } from '../config/agent-config';

type Result = NonNullable<CommandResponse['result']>;
/**
 * The emotion section as the agent reads it: `minReadablePx` (the readable-size gate) comes through once the
 * protocol's config schema carries it; until then the strict schema refuses a config that sets it.
 */
type EmotionSection = NonNullable<DeviceConfig['emotion']> & { minReadablePx?: number };

/**
 * Remote control from the cloud: the retained config topic and the command topic. Everything is
 * validated first; anything refused gets an error response and leaves the running state untouched.
 */
export class Control {
  private appliedRevision = -1;
  private queue: Promise<void> = Promise.resolve();
  /** Called after a `restart` command was acknowledged; the CLI exits so systemd restarts us. */
  onRestart: (() => void) | undefined;

  constructor(private readonly agent: Agent) {}

  onConfig(payload: Buffer): void {
    this.serial(() => this.applyConfig(payload));
  }

  onCommand(payload: Buffer): void {
    this.serial(() => this.runCommand(payload));
  }

  /** One remote action at a time, in arrival order. */
  private serial(task: () => Promise<void>): void {
    this.queue = this.queue
      .then(task)
      .catch((err: unknown) => this.agent.log.error(`control: ${(err as Error).message}`));
  }

  private respond(r: Omit<CommandResponse, 'v' | 'ts'>): void {
    this.agent.link.publishResponse({ v: 1, ts: Date.now(), ...r });
  }

  private async applyConfig(payload: Buffer): Promise<void> {
    if (payload.length === 0) return; // retained config cleared: keep what we run
    const decoded = decode('config', payload);
    if (!decoded.ok) {
      this.agent.log.error(`refused remote config: ${decoded.error}`);
      // Answer with the revision when it can be read, so the cloud can tell which change was refused.
      const revision = guessRevision(payload);
      const txId = revision === null ? `config-invalid-${Date.now()}` : `config-rev-${revision}`;
      this.respond({ txId, to: 'config', ok: false, error: decoded.error.slice(0, 500) });
      return;
    }
    const c = decoded.value;
    const txId = `config-rev-${c.revision}`;
    if (c.revision <= this.appliedRevision) return; // the retained copy again
    const problem = checkConfig(c, this.agent.pipeline.settings.detection);
    if (problem) {
      this.agent.log.error(`refused remote config revision ${c.revision}: ${problem}`);
      this.respond({ txId, to: 'config', ok: false, error: problem });
      return;
    }
    if (c.detector) {
      // Loading the other detector can fail (a missing model file): then nothing of this revision is applied.
      const failed = await this.agent.setDetector(c.detector).then(
        () => null,
        (err: unknown) => `detector ${c.detector}: ${(err as Error).message}`.slice(0, 500),
      );
      if (failed) {
        this.agent.log.error(`refused remote config revision ${c.revision}: ${failed}`);
        this.respond({ txId, to: 'config', ok: false, error: failed });
        return;
      }
    }
    const result: Result = { revision: c.revision };
    const cfg = this.agent.config;
    if (c.snapshotHz !== undefined && c.snapshotHz !== cfg.snapshotHz) {
      cfg.snapshotHz = c.snapshotHz;
      this.agent.scheduleSnapshots();
    }
    if (c.telemetryIntervalS !== undefined && c.telemetryIntervalS !== cfg.telemetryIntervalS) {
      cfg.telemetryIntervalS = c.telemetryIntervalS;
      this.agent.scheduleTelemetry();
    }
    if (c.detection) {
      const { hz, ...params } = c.detection;
      const settings = this.agent.pipeline.settings;
      settings.detection = { ...settings.detection, ...stripUndefined(params) };
      if (hz !== undefined && hz !== cfg.detection.hz) this.agent.setDetectionHz(hz);
    }
    if (c.emotion) {
      const emotion: EmotionSection = c.emotion;
      if (emotion.enabled !== undefined) this.agent.pipeline.settings.emotionEnabled = emotion.enabled;
      if (emotion.smoothingAlpha !== undefined) this.agent.pipeline.settings.smoothingAlpha = emotion.smoothingAlpha;
      if (emotion.minReadablePx !== undefined) this.agent.setMinReadablePx(emotion.minReadablePx);
    }
    if (c.preview) {
      // The preview is a local debugging aid: failing to open it never refuses the rest of the config.
      result.preview = await this.agent.setPreview(c.preview.enabled).then(
        (url) => url ?? 'off',
        (err: unknown) => `error: ${(err as Error).message}`.slice(0, 256),
      );
    }
    this.appliedRevision = c.revision;
    this.agent.log.info(`applied remote config revision ${c.revision}`);
    this.respond({ txId, to: 'config', ok: true, result });
    return;
  }

  private async runCommand(payload: Buffer): Promise<void> {
    const decoded = decode('command', payload);
    if (!decoded.ok) {
      this.agent.log.error(`refused command: ${decoded.error}`);
      const txId = guessTxId(payload);
      if (txId) this.respond({ txId, to: guessName(payload), ok: false, error: decoded.error.slice(0, 500) });
      return;
    }
    const cmd = decoded.value;
    try {
      const result = await this.execute(cmd);
      this.respond({ txId: cmd.txId, to: cmd.name, ok: true, result });
      if (cmd.name === 'restart') setTimeout(() => this.onRestart?.(), 500).unref();
    } catch (err) {
      const message = (err as Error).message;
      this.agent.log.error(`${cmd.name} ${cmd.txId} failed: ${message}`);
      this.respond({ txId: cmd.txId, to: cmd.name, ok: false, error: message.slice(0, 500) });
    }
  }

  private async execute(cmd: Command): Promise<Result> {
    switch (cmd.name) {
      case 'ping':
        return {
          uptimeS: Math.round(process.uptime()),
          nextSeq: this.agent.outbox.nextSeq(),
          model: this.agent.modelRef.id,
        };
      case 'restart':
        return { restarting: true };
      case 'model-update':
        return this.updateModel(cmd);
    }
  }

  /** Download -> sha256 -> smoke test -> atomic swap -> load; any failure leaves the old model running. */
  private async updateModel(cmd: Extract<Command, { name: 'model-update' }>): Promise<Result> {
    const { models, config } = this.agent;
    const file = await models.download(cmd.url, cmd.sha256);
    try {
      const candidate = await createEmotionModel({ modelPath: file, threads: config.threads }).catch((err: unknown) => {
        throw new Error(`downloaded model does not load: ${(err as Error).message}`);
      });
      try {
        await smokeTestModel(candidate);
      } finally {
        await candidate.close();
      }
    } catch (err) {
      models.discard(file);
      throw err;
    }
    const installed = models.activate(file, { modelId: cmd.modelId, version: cmd.version, sha256: cmd.sha256 });
    try {
      const live = await createEmotionModel({ modelPath: installed.path, threads: config.threads });
      await smokeTestModel(live);
      await this.agent.replaceModel(live, { id: cmd.modelId, version: cmd.version });
    } catch (err) {
      models.rollback();
      throw new Error(`model activation failed, rolled back: ${(err as Error).message}`);
    }
    this.agent.log.info(`model updated to ${cmd.modelId} (version ${cmd.version})`);
    return { modelId: cmd.modelId, version: cmd.version, sha256: cmd.sha256 };
  }
}

function checkConfig(c: DeviceConfig, current: { minFacePx?: number; maxFacePx?: number }): string | null {
  const min = c.detection?.minFacePx ?? current.minFacePx ?? 24;
  const max = c.detection?.maxFacePx ?? current.maxFacePx ?? 2000;
  if (max < min) return `detection.maxFacePx (${max}) must not be below detection.minFacePx (${min})`;
  const emotion: EmotionSection | undefined = c.emotion;
  if (emotion?.minReadablePx !== undefined) {
    const px = minReadablePxSchema.safeParse(emotion.minReadablePx);
    if (!px.success) return `emotion.minReadablePx ${px.error.issues[0]?.message ?? 'is invalid'}`;
  }
  const roi = c.detection?.roi;
  if (roi && (roi.x + roi.w > 1.0001 || roi.y + roi.h > 1.0001 || roi.w <= 0 || roi.h <= 0))
    return 'detection.roi must lie inside the frame and be non-empty';
  return null;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function guessTxId(payload: Buffer): string | null {
  try {
    const tx = (JSON.parse(payload.toString('utf8')) as { txId?: unknown }).txId;
    return typeof tx === 'string' && /^[A-Za-z0-9_-]{8,64}$/.test(tx) ? tx : null;
  } catch {
    return null;
  }
}

function guessName(payload: Buffer): CommandResponse['to'] {
  try {
    const name = (JSON.parse(payload.toString('utf8')) as { name?: unknown }).name;
    return name === 'ping' || name === 'restart' || name === 'model-update' ? name : 'ping';
  } catch {
    return 'ping';
  }
}

function guessRevision(payload: Buffer): number | null {
  try {
    const rev = (JSON.parse(payload.toString('utf8')) as { revision?: unknown }).revision;
    return typeof rev === 'number' && Number.isInteger(rev) && rev >= 0 ? rev : null;
  } catch {
    return null;
  }
}
