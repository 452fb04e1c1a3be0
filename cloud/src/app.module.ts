import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { DataSource } from 'typeorm';
import { AggregationService } from './aggregation/aggregation.service';
import { AlertsController } from './alerts/alerts.controller';
import { AlertsService } from './alerts/alerts.service';
import { AuthController } from './auth/auth.controller';
import { AuthGuard } from './auth/auth.guard';
import { AuthService } from './auth/auth.service';
import { LoginLimiter } from './auth/login-limiter';
import { UsersService } from './auth/users.service';
import { EventBus } from './common/event-bus';
import { CLOUD_CONFIG } from './config/config.tokens';
import type { CloudConfig } from './config/cloud-config';
import { DeviceRegistry } from './devices/device-registry';
import { DevicesController } from './devices/devices.controller';
import { DevicesService } from './devices/devices.service';
import { FleetService } from './devices/fleet.service';
import { IngestService } from './ingest/ingest.service';
import { LiveController } from './live/live.controller';
import { LiveService } from './live/live.service';
import { MqttService } from './mqtt/mqtt.service';
import { AuditService } from './ops/audit.service';
import { HealthController } from './ops/health.controller';
import { AuditController } from './ops/audit.controller';
import { MetricsService } from './ops/metrics.service';
import { RetentionService } from './ops/retention.service';
import { SessionsService } from './sessions/sessions.service';
import { SessionsController } from './sessions/sessions.controller';
import { ReportsService } from './reports/reports.service';
import { UsersController } from './auth/users.controller';
import { JobsController } from './jobs/jobs.controller';
import { JobsService } from './jobs/jobs.service';
import { ModelsController } from './models/models.controller';
import { RoomsController } from './rooms/rooms.controller';
import { RoomsService } from './rooms/rooms.service';

@Module({})
export class AppModule {
  static create(config: CloudConfig, ds: DataSource, jwtSecret: string): DynamicModule {
    return {
      module: AppModule,
      imports: [JwtModule.register({ secret: jwtSecret })],
      controllers: [
        AuthController,
        RoomsController,
        LiveController,
        DevicesController,
        HealthController,
        AuditController,
        SessionsController,
        UsersController,
        JobsController,
        ModelsController,
        AlertsController,
      ],
      providers: [
        { provide: CLOUD_CONFIG, useValue: config },
        { provide: DataSource, useValue: ds },
        { provide: EventBus, useValue: new EventBus() },
        { provide: APP_GUARD, useClass: AuthGuard },
        AuthService,
        LoginLimiter,
        UsersService,
        AuditService,
        MetricsService,
        DeviceRegistry,
        DevicesService,
        FleetService,
        RoomsService,
        LiveService,
        IngestService,
        MqttService,
        AggregationService,
        SessionsService,
        RetentionService,
        ReportsService,
        JobsService,
        AlertsService,
      ],
    };
  }
}
