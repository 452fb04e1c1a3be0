import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { ConflictException, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { AggregationService } from '../aggregation/aggregation.service';
import type { CloudConfig } from '../config/cloud-config';
import { CLOUD_CONFIG } from '../config/config.tokens';
import { Bucketer, type AggregateRow } from '../aggregation/bucket';
import { JobEntity, SessionEntity, SnapshotEntity } from '../db/entities';
import { MetricsService } from '../ops/metrics.service';
import { ReportsService } from '../reports/reports.service';
import type { VideoAnalysis } from '@lectern/vision';
import { normalizeAnalysis, type Analysis } from './analysis-result';
import { runAnalysis } from './run-analysis';
import { quotaRefusal, uploadQuotaState, type UploadQuotaState } from './upload-quota';
import { SLACK_S, stoppedAtLimitMessage } from './video-limits';

export interface JobView {
  id: string;
  status: JobEntity['status'];
  /** 0..1 */
  progress: number;
  /** The same as a whole percentage, for displays. */
  percent: number;
  error: string | null;
  sessionId: string | null;
  filename: string;
  createdAt: number;
  roomId: string | null;
  title: string | null;
}

export function toJobView(j: JobEntity): JobView {
  return {
    id: j.id,
    status: j.status,
    progress: j.progress,
    percent: Math.floor(j.progress * 100),
    error: j.error,
    sessionId: j.sessionId,
    filename: j.filename,
    createdAt: j.createdAt,
    roomId: j.roomId,
    title: j.title,
  };
}

export interface JobInput {
  path: string;
  filename: string;
  roomId: string | null;
  title: string | null;
  userId: string | null;
}

export type Analyzer = (
  path: string,
  onProgress: (f: number) => void,
  signal: AbortSignal,
  limits: { maxDurationS: number },
) => Promise<VideoAnalysis>;

/**
 * Uploaded-video analysis queue, persisted in the job table: one job at a time, progress saved as it
 * goes, cancellable; jobs left `running` by a crash or restart are queued again at boot.
 */
@Injectable()
export class JobsService {
  private readonly logger = new Logger('Jobs');
  private running: { id: string; abort: AbortController } | null = null;
  private loop: Promise<void> | null = null;
  private stopped = true;
  /** Quota check and insert run one at a time, so two parallel uploads cannot both take the last slot. */
  private admission: Promise<unknown> = Promise.resolve();
  analyzer: Analyzer = runAnalysis;

  constructor(
    private readonly ds: DataSource,
    private readonly reports: ReportsService,
    private readonly aggregation: AggregationService,
    private readonly metrics: MetricsService,
    @Inject(CLOUD_CONFIG) private readonly config: CloudConfig,
  ) {}

  private get repo() {
    return this.ds.getRepository(JobEntity);
  }

  async start(): Promise<void> {
    await this.repo.update({ status: 'running' }, { status: 'queued', progress: 0, updatedAt: Date.now() });
    this.stopped = false;
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // An interrupted job goes back to the queue (not failed): the next start picks it up again.
    this.running?.abort.abort(new Error('shutdown'));
    await this.loop;
  }

  /** The user's upload quota as counted from the job table now (LECTERN_UPLOAD_QUOTA_*). */
  quota(userId: string): Promise<UploadQuotaState> {
    return uploadQuotaState(this.repo, userId, {
      perDay: this.config.uploadQuotaPerDay,
      concurrent: this.config.uploadQuotaConcurrent,
    });
  }

  /** Throws UploadQuotaExceeded when the user may not upload now. */
  async assertQuota(userId: string): Promise<void> {
    const refusal = quotaRefusal(await this.quota(userId));
    if (refusal) throw refusal;
  }

  /** Queues a job; a job with a user is admitted only within that user's quota (UploadQuotaExceeded). */
  enqueue(input: JobInput): Promise<JobView> {
    const admitted = this.admission.then(async () => {
      if (input.userId !== null) await this.assertQuota(input.userId);
      return this.insert(input);
    });
    this.admission = admitted.catch(() => undefined);
    return admitted;
  }

  private async insert(input: JobInput): Promise<JobView> {
    const now = Date.now();
    const job = this.repo.create({
      id: randomUUID(),
      status: 'queued',
      progress: 0,
      error: null,
      sessionId: null,
      ...input,
      createdAt: now,
      updatedAt: now,
    });
    await this.repo.insert(job);
    this.kick();
    return toJobView(job);
  }

  async list(): Promise<JobView[]> {
    return (await this.repo.find({ order: { createdAt: 'DESC' }, take: 500 })).map(toJobView);
  }

  async get(id: string): Promise<JobEntity> {
    const j = await this.repo.findOneBy({ id });
    if (!j) throw new NotFoundException(`job ${id} not found`);
    return j;
  }

  async cancel(id: string): Promise<JobView> {
    const j = await this.get(id);
    if (j.status !== 'queued' && j.status !== 'running')
      throw new ConflictException(`job ${id} is already ${j.status}`);
    await this.repo.update({ id }, { status: 'cancelled', updatedAt: Date.now() });
    if (this.running?.id === id) this.running.abort.abort(new Error('cancelled'));
    else rmSync(j.path, { force: true });
    return toJobView(await this.get(id));
  }

  private kick(): void {
    if (this.stopped || this.loop) return;
    this.loop = this.drain().finally(() => {
      this.loop = null;
    });
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      const depth = await this.repo.countBy({ status: In(['queued', 'running']) });
      this.metrics.jobQueueDepth.set(depth);
      const next = await this.repo.findOne({ where: { status: 'queued' }, order: { createdAt: 'ASC' } });
      if (!next) return;
      await this.process(next);
    }
  }

  private async process(job: JobEntity): Promise<void> {
    const claimed = await this.repo.update(
      { id: job.id, status: 'queued' },
      { status: 'running', progress: 0, updatedAt: Date.now() },
    );
    if (!claimed.affected) return; // cancelled meanwhile
    const abort = new AbortController();
    this.running = { id: job.id, abort };
    let lastSave = 0;
    const maxMinutes = this.config.uploadMaxMinutes;
    try {
      const result = await this.analyzer(
        job.path,
        (f) => {
          const now = Date.now();
          if (now - lastSave < 250) return;
          lastSave = now;
          // Keep the last few percent for storing the results.
          void this.repo
            .update({ id: job.id, status: 'running' }, { progress: Math.min(0.95, f * 0.95), updatedAt: now })
            .catch(() => undefined);
        },
        abort.signal,
        // The upload's declared length was checked before it was queued; this holds even if it lied.
        { maxDurationS: maxMinutes * 60 + SLACK_S },
      );
      if (result.truncated) throw new Error(stoppedAtLimitMessage(maxMinutes));
      const analysis = normalizeAnalysis(result);
      const sessionId = await this.storeResult(job, analysis);
      await this.repo.update(
        { id: job.id, status: 'running' },
        { status: 'done', progress: 1, sessionId, updatedAt: Date.now() },
      );
      this.logger.log(`job ${job.id} done: ${analysis.points.length} points, session ${sessionId}`);
    } catch (err) {
      // The stored upload's path is server-internal: users know the file by the name they uploaded.
      const message = (err instanceof Error ? err.message : String(err)).replaceAll(job.path, job.filename);
      if (abort.signal.aborted && this.stopped) {
        // Shutdown, not the user's cancel: back to the queue so the next start runs it again.
        await this.repo.update(
          { id: job.id, status: 'running' },
          { status: 'queued', progress: 0, updatedAt: Date.now() },
        );
        this.logger.log(`job ${job.id} interrupted by shutdown; queued again`);
      } else if (abort.signal.aborted) {
        this.logger.log(`job ${job.id} stopped (${message})`);
      } else {
        await this.repo.update(
          { id: job.id, status: 'running' },
          { status: 'failed', error: message.slice(0, 2000), updatedAt: Date.now() },
        );
        this.logger.warn(`job ${job.id} failed: ${message}`);
      }
    } finally {
      this.running = null;
      const after = await this.repo.findOneBy({ id: job.id });
      // The upload is deleted once it reached a final state; a queued (interrupted) one is kept.
      if (after && after.status !== 'queued') rmSync(job.path, { force: true });
    }
  }

  /** Results become an ended 'upload' session with 1 s / 1 min aggregates, per-second snapshots and a report. */
  private async storeResult(job: JobEntity, a: Analysis): Promise<string> {
    // The upload's minute, on a whole minute: then every 1 s and 1 min bucket starts on a whole second or minute
    // of the video, and the report's times into the video (0:00 = first frame) are exact.
    const startedAt = Math.floor(job.createdAt / 60_000) * 60_000;
    const session = this.ds.getRepository(SessionEntity).create({
      id: randomUUID(),
      roomId: job.roomId,
      title: job.title ?? job.filename,
      startedAt,
      endedAt: startedAt + Math.round(a.durationS * 1000),
      source: 'upload',
      status: 'ended',
    });
    const rows: AggregateRow[] = [];
    // Room null: an analysed recording must not show up in the room's live timeline.
    const bucketer = new Bucketer(null, (row) => rows.push(row));
    const deviceId = `upload-${job.id.slice(0, 8)}`;
    const snapshots: Omit<SnapshotEntity, 'id'>[] = [];
    a.points.forEach((p, i) => {
      const ts = startedAt + Math.round(p.offsetS * 1000);
      bucketer.add(
        { ts, faces: p.faces, read: p.read, distribution: p.distribution, valence: p.valence, attention: p.attention },
        session.id,
      );
      snapshots.push({
        deviceId,
        roomId: job.roomId ?? 'upload',
        sessionId: session.id,
        epoch: 0,
        seq: i,
        capturedAt: ts,
        receivedAt: Date.now(),
        faces: p.faces,
        valence: p.valence ?? 0,
        attention: p.attention ?? 0,
        distribution: JSON.stringify(p.distribution ?? [0, 0, 0, 0, 0, 0, 0]),
        tracks: JSON.stringify(p.tracks),
        emotionEnabled: p.distribution !== null,
        modelId: 'upload',
        modelVersion: '1',
      });
    });
    bucketer.closeAll();
    await this.ds.transaction(async (em) => {
      await em.insert(SessionEntity, session);
      for (let i = 0; i < snapshots.length; i += 500) {
        await em
          .createQueryBuilder()
          .insert()
          .into(SnapshotEntity)
          .values(snapshots.slice(i, i + 500))
          .orIgnore()
          .updateEntity(false)
          .execute();
      }
    });
    await this.aggregation.write(rows);
    await this.reports.store(session);
    return session.id;
  }
}
