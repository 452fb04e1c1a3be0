import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { BadRequestException, Controller, Delete, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
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
import { receiveVideo } from './upload-storage';

@ApiTags('uploads')
@ApiBearerAuth()
@Controller('api')
export class JobsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly rooms: RoomsService,
    private readonly audit: AuditService,
    @Inject(CLOUD_CONFIG) private readonly config: CloudConfig,
  ) {}

  /** multipart/form-data: `file` (mp4/webm/mov/mkv/avi), optional `roomId`, `title`. */
  @Roles('speaker')
  @ApiConsumes('multipart/form-data')
  @Post('uploads')
  async upload(
    @CurrentUser() user: AuthUser,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<JobView> {
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
      const job = await this.jobs.enqueue({
        path: file.path,
        filename: file.originalName.slice(0, 255),
        roomId,
        title,
        userId: user.id,
      });
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
