import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { ThrottlerModule } from '@nestjs/throttler';
import { DataSource } from 'typeorm';
import { AggregationService } from './aggregation/aggregation.service';
import { AuthController } from './auth/auth.controller';
import { AuthGuard } from './auth/auth.guard';
import { AuthService } from './auth/auth.service';
import { UsersService } from './auth/users.service';
import { EventBus } from './common/event-bus';
import { CLOUD_CONFIG } from './config/config.tokens';
import type { CloudConfig } from './config/cloud-config';
import { DeviceRegistry } from './devices/device-registry';
import { DevicesController } from './devices/devices.controller';
import { DevicesService } from './devices/devices.service';
import { IngestService } from './ingest/ingest.service';
import { LiveController } from './live/live.controller';
import { LiveService } from './live/live.service';
import { MqttService } from './mqtt/mqtt.service';
import { AuditService } from './ops/audit.service';
import { HealthController } from './ops/health.controller';
import { MetricsService } from './ops/metrics.service';
import { RetentionService } from './ops/retention.service';
import { SessionsService } from './sessions/sessions.service';
import { RoomsController } from './rooms/rooms.controller';
import { RoomsService } from './rooms/rooms.service';

@Module({})
export class AppModule {
  static create(config: CloudConfig, ds: DataSource, jwtSecret: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        JwtModule.register({ secret: jwtSecret }),
        ThrottlerModule.forRoot([{ name: 'default', ttl: 60_000, limit: 10 }]),
      ],
      controllers: [AuthController, RoomsController, LiveController, DevicesController, HealthController],
      providers: [
        { provide: CLOUD_CONFIG, useValue: config },
        { provide: DataSource, useValue: ds },
        { provide: EventBus, useValue: new EventBus() },
        { provide: APP_GUARD, useClass: AuthGuard },
        AuthService,
        UsersService,
        AuditService,
        MetricsService,
        DeviceRegistry,
        DevicesService,
        RoomsService,
        LiveService,
        IngestService,
        MqttService,
        AggregationService,
        SessionsService,
        RetentionService,
      ],
    };
  }
}
