import { Controller, Get, Header, Inject, Req, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { AuthService } from '../auth/auth.service';
import { Public } from '../auth/decorators';
import { CLOUD_CONFIG } from '../config/config.tokens';
import type { CloudConfig } from '../config/cloud-config';
import { assertOpsAccess } from '../http/ops-access';
import { IngestService } from '../ingest/ingest.service';
import { MqttService } from '../mqtt/mqtt.service';
import { MetricsService } from './metrics.service';

@ApiTags('ops')
@Controller()
export class HealthController {
  constructor(
    private readonly ds: DataSource,
    private readonly mqtt: MqttService,
    private readonly metrics: MetricsService,
    private readonly ingest: IngestService,
    private readonly auth: AuthService,
    @Inject(CLOUD_CONFIG) private readonly config: CloudConfig,
  ) {}

  @Public()
  @Get('api/health')
  async health(): Promise<{ status: 'ok'; db: 'ok'; mqtt: 'ok' }> {
    let db = 'ok';
    try {
      await this.ds.query('SELECT 1');
    } catch (err) {
      db = (err as Error).message;
    }
    const mqtt = this.mqtt.healthy ? 'ok' : 'disconnected';
    if (db !== 'ok' || mqtt !== 'ok') throw new ServiceUnavailableException({ status: 'degraded', db, mqtt });
    return { status: 'ok', db: 'ok', mqtt: 'ok' };
  }

  /** Public only with LECTERN_PUBLIC_METRICS=1; otherwise an admin token or LECTERN_METRICS_TOKEN. */
  @Public()
  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async prometheus(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (!this.config.publicMetrics) await assertOpsAccess(req, this.auth, '/metrics', this.config.metricsToken);
    this.metrics.queueDepth.set(this.ingest.writer.depth);
    this.metrics.mqttClients.set(this.mqtt.broker?.connectedClients ?? 0);
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    res.send(await this.metrics.registry.metrics());
  }
}
