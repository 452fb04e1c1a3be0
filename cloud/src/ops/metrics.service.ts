import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one cloud instance (own registry, so several instances can share a process). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly received = new Counter({
    name: 'lectern_ingest_received_total',
    help: 'MQTT messages received by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: 'lectern_ingest_rejected_total',
    help: 'MQTT messages dropped by reason (malformed, unknown device, mismatch)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly stored = new Counter({
    name: 'lectern_snapshots_written_total',
    help: 'Snapshots written to the database (duplicates are ignored by the unique index)',
    registers: [this.registry],
  });
  readonly lag = new Histogram({
    name: 'lectern_ingest_lag_seconds',
    help: 'Capture-to-ingest lag of snapshots',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 30, 300],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'lectern_ingest_queue_depth',
    help: 'Snapshots waiting for the batched writer',
    registers: [this.registry],
  });
  readonly jobQueueDepth = new Gauge({
    name: 'lectern_job_queue_depth',
    help: 'Video analysis jobs queued or running',
    registers: [this.registry],
  });
  readonly mqttClients = new Gauge({
    name: 'lectern_mqtt_clients',
    help: 'Clients connected to the embedded broker',
    registers: [this.registry],
  });
  readonly sseClients = new Gauge({
    name: 'lectern_live_clients',
    help: 'Open live (SSE) connections',
    registers: [this.registry],
  });

  /** Device health, refreshed by the alert evaluator (alerts/alerts.service.ts); devices never seen are left out. */
  readonly device = {
    online: this.deviceGauge('lectern_device_online', '1 while the device reports online, 0 once offline'),
    lastSeen: this.deviceGauge(
      'lectern_device_last_seen_seconds',
      'Seconds since the device last sent status or telemetry',
    ),
    fps: this.deviceGauge('lectern_device_fps', 'Frames per second the device processes (latest telemetry)'),
    cpu: this.deviceGauge('lectern_device_cpu_percent', 'Process CPU use in percent of one core (latest telemetry)'),
    temperature: this.deviceGauge(
      'lectern_device_temperature_celsius',
      'SoC temperature (latest telemetry; absent without a sensor)',
    ),
    outbox: this.deviceGauge(
      'lectern_device_outbox_depth',
      'Snapshots waiting in the device outbox (latest telemetry)',
    ),
    sourceFailed: this.deviceGauge(
      'lectern_device_source_failed',
      '1 while the camera/stream is failed or reconnecting, else 0',
    ),
  };
  readonly alertsOpen = new Gauge({
    name: 'lectern_alerts_open',
    help: 'Alerts firing or acknowledged (not yet resolved), by rule and state',
    labelNames: ['rule', 'state'] as const,
    registers: [this.registry],
  });

  private deviceGauge(name: string, help: string): Gauge<'device' | 'room'> {
    return new Gauge({ name, help, labelNames: ['device', 'room'] as const, registers: [this.registry] });
  }

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'lectern_' });
  }

  /** Rejections as a plain object for tests and the health page. */
  async rejectedByReason(): Promise<Record<string, number>> {
    const m = await this.rejected.get();
    return Object.fromEntries(m.values.map((v) => [String(v.labels.reason), v.value]));
  }
}
