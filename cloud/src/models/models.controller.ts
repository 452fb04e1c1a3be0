import { Body, Controller, Get, NotFoundException, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Public, Roles } from '../auth/decorators';
import { parseOr400 } from '../common/zod-body';
import { FleetService } from '../devices/fleet.service';
import { AuditService } from '../ops/audit.service';
import { bundledReleases, releaseFilePath, type ModelRelease } from './model-releases';

const installBody = z.strictObject({
  release: z.enum(['current', 'previous'], { message: 'must be "current" or "previous"' }),
});

/** Where devices download release files from: this cloud, as the admin who sends the command reaches it. */
function downloadUrl(req: Request, file: string): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}/api/models/${encodeURIComponent(file)}`;
}

/**
 * Emotion model releases over the air: the current int8 model and the previous one, kept for rollback.
 * `POST /api/devices/:id/model` turns a release into a `model-update` command (url + sha256); the agent
 * verifies the download, smoke-tests it and keeps the model it replaces.
 */
@ApiTags('models')
@Controller()
export class ModelsController {
  constructor(
    private readonly fleet: FleetService,
    private readonly audit: AuditService,
  ) {}

  @ApiBearerAuth()
  @Roles('installer')
  @Get('api/models')
  list(@Req() req: Request): (ModelRelease & { url: string })[] {
    return bundledReleases().map((r) => ({ ...r, url: downloadUrl(req, r.file) }));
  }

  /** Public: devices fetch with no user token; the sha256 in the signed-in admin's command guards the bytes. */
  @Public()
  @Get('api/models/:file')
  file(@Param('file') file: string, @Res() res: Response): void {
    const path = releaseFilePath(file);
    if (!path) throw new NotFoundException(`no model release file "${file}"`);
    res.sendFile(path, { headers: { 'Content-Type': 'application/octet-stream', 'Cache-Control': 'no-cache' } });
  }

  /** Admin only. Body: `{"release": "current" | "previous"}`; the device's answer appears under /commands/:txId. */
  @ApiBearerAuth()
  @Post('api/devices/:id/model')
  async install(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() req: Request,
  ): Promise<{ txId: string; release: ModelRelease }> {
    const { release: name } = parseOr400(installBody, body);
    const release = bundledReleases().find((r) => r.release === name);
    if (!release) throw new NotFoundException(`this cloud bundles no ${name} model release`);
    const { txId } = await this.fleet.sendCommand(id, {
      name: 'model-update',
      url: downloadUrl(req, release.file),
      sha256: release.sha256,
      modelId: release.modelId,
      version: release.version,
    });
    await this.audit.record(user, 'device.model', `device:${id}`, { release: name, modelId: release.modelId, txId });
    return { txId, release };
  }
}
