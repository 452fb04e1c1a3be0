import { join } from 'node:path';
import { rmSync } from 'node:fs';
import {
  BadRequestException,
  Controller,
  Delete,
  Get,
  HttpException,
  HttpStatus,
  Inject,
  Logger,
  Param,
  PayloadTooLargeException,
  Post,
  Req,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { assertRoomAccess } from '../auth/room-access';
import { CLOUD_CONFIG } from '../config/config.tokens';
import type { CloudConfig } from '../config/cloud-config';
import { AuditService } from '../ops/audit.service';
import { RoomsService } from '../rooms/rooms.service';
import { SLUG_RE } from '../rooms/slug';
import { JobsService, toJobView, type JobView } from './jobs.service';
import { UploadQuotaExceeded } from './upload-quota';
import { receiveVideo } from './upload-storage';
import { isTooLong, NO_FFPROBE_MESSAGE, probeUpload, tooLongMessage, unreadableMessage } from './video-limits';

/** What GET /api/uploads/limits answers: the upload page states these next to the form. */
export interface UploadLimitsView {
  maxMb: number;
  maxMinutes: number;
  perDay: number;
  concurrent: number;
  /** The caller's uploads in the last 24 hours, and those queued or running now. */
  usedToday: number;
  pending: number;
  /** While the daily quota is used up: when (ms) the caller can upload again. */
  nextUploadAt: number | null;
  /**
   * The minimum group size K for an upload without a room (LECTERN_MIN_GROUP_SIZE); an upload into a room uses
   * the room's (GET /api/rooms, `minGroupSize`). Emotion figures appear only where at least K faces were read.
   */
  minGroupSize: number;
}

@ApiTags('uploads')
@ApiBearerAuth()
@Controller('api')
export class JobsController {
  private readonly logger = new Logger('Uploads');

  constructor(
    private readonly jobs: JobsService,
    private readonly rooms: RoomsService,
    private readonly audit: AuditService,
    @Inject(CLOUD_CONFIG) private readonly config: CloudConfig,
  ) {}

  /** The upload limits and the caller's quota use, for the upload page. */
  @Roles('speaker')
  @Get('uploads/limits')
  async limits(@CurrentUser() user: AuthUser): Promise<UploadLimitsView> {
    const q = await this.jobs.quota(user.id);
    return {
      maxMb: this.config.uploadMaxMb,
      maxMinutes: this.config.uploadMaxMinutes,
      perDay: q.perDay,
      concurrent: q.concurrent,
      usedToday: q.usedToday,
      pending: q.pending,
      nextUploadAt: q.nextUploadAt,
      minGroupSize: this.config.minGroupSize,
    };
  }

  /**
   * multipart/form-data: `file` (mp4/webm/mov/mkv/avi), optional `roomId`, `title`. Refused before any
   * analysis: over the user's quota (429, before the file is stored), longer than LECTERN_UPLOAD_MAX_MINUTES
   * (413), not readable as a video (400), or no ffprobe on the server (503).
   */
  @Roles('speaker')
  @ApiConsumes('multipart/form-data')
  @Post('uploads')
  async upload(
    @CurrentUser() user: AuthUser,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<JobView> {
    // Admins too: the limits protect the one analysis queue everybody shares.
    await this.jobs.assertQuota(user.id).catch((err: unknown) => this.tooMany(res, err));
    const file = await receiveVideo(req, res, join(this.config.dataDir, 'uploads'), this.config.uploadMaxMb);
    try {
      const roomId = typeof file.fields.roomId === 'string' && file.fields.roomId !== '' ? file.fields.roomId : null;
      const title =
        typeof file.fields.title === 'string' && file.fields.title !== '' ? file.fields.title.slice(0, 200) : null;
      if (roomId !== null) {
        if (!SLUG_RE.test(roomId)) throw new BadRequestException('invalid upload: roomId must be a lowercase slug');
        assertRoomAccess(user, roomId);
        await this.rooms.get(roomId);
      } else if (user.role !== 'admin') {
        throw new BadRequestException('invalid upload: roomId is required (speakers upload into their rooms)');
      }
      await this.checkVideo(file.path, file.originalName);
      const job = await this.jobs
        .enqueue({
          path: file.path,
          filename: file.originalName.slice(0, 255),
          roomId,
          title,
          userId: user.id,
        })
        .catch((err: unknown) => this.tooMany(res, err));
      await this.audit.record(user, 'upload.create', `job:${job.id}`, {
        filename: job.filename,
        size: file.size,
        roomId,
      });
      return job;
    } catch (err) {
      rmSync(file.path, { force: true });
      throw err;
    }
  }

  /** ffprobe reads the header: the declared length must be within LECTERN_UPLOAD_MAX_MINUTES. */
  private async checkVideo(path: string, filename: string): Promise<void> {
    const probe = await probeUpload(path);
    if (probe.kind === 'no-ffprobe') {
      this.logger.error('upload refused: ffprobe is not installed (apt-get install ffmpeg)');
      throw new ServiceUnavailableException(NO_FFPROBE_MESSAGE);
    }
    if (probe.kind === 'unreadable') {
      this.logger.log(`upload "${filename}" refused: ffprobe cannot read it (${probe.reason})`);
      throw new BadRequestException(unreadableMessage(filename));
    }
    const max = this.config.uploadMaxMinutes;
    if (probe.durationS !== null && isTooLong(probe.durationS, max))
      throw new PayloadTooLargeException(tooLongMessage(probe.durationS, max));
    // No declared length (browser-recorded webm): accepted; the analysis itself stops at the limit.
  }

  /** A quota refusal becomes 429 with Retry-After when the time is known; anything else passes through. */
  private tooMany(res: Response, err: unknown): never {
    if (!(err instanceof UploadQuotaExceeded)) throw err;
    if (err.retryAt !== null)
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil((err.retryAt - Date.now()) / 1000))));
    throw new HttpException(
      {
        statusCode: HttpStatus.TOO_MANY_REQUESTS,
        error: 'Too Many Requests',
        message: err.message,
        retryAt: err.retryAt,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }

  @Roles('speaker')
  @Get('jobs')
  async list(@CurrentUser() user: AuthUser): Promise<JobView[]> {
    const all = await this.jobs.list();
    return user.role === 'admin' ? all : all.filter((j) => j.roomId !== null && user.roomIds.includes(j.roomId));
  }

  @Roles('speaker')
  @Get('jobs/:id')
  async get(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<JobView> {
    const j = await this.jobs.get(id);
    assertRoomAccess(user, j.roomId);
    return toJobView(j);
  }

  @Roles('speaker')
  @Delete('jobs/:id')
  async cancel(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<JobView> {
    const j = await this.jobs.get(id);
    assertRoomAccess(user, j.roomId);
    const r = await this.jobs.cancel(id);
    await this.audit.record(user, 'upload.cancel', `job:${id}`);
    return r;
  }
}
