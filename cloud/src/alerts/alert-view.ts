// What the alerts API answers (GET /api/alerts, /api/fleet/health, /api/devices/:id/history), written once for
// the server and the dashboard. No Nest or TypeORM imports: cloud/web compiles this file as it is.

/** A device's connection state (the devices table's `status` column stores these). */
export type DeviceState = 'online' | 'offline' | 'never';

/** An alert's life: firing until acknowledged or resolved (the alerts table's `state` column stores these). */
export type AlertState = 'firing' | 'acknowledged' | 'resolved';

export type RuleId = 'offline' | 'outbox-backlog' | 'temperature' | 'source-failure' | 'fps-drop';
export type Severity = 'critical' | 'warning';

export interface RuleView {
  id: RuleId;
  severity: Severity;
  title: string;
  /** The condition with its threshold, in words. */
  condition: string;
  /** The numeric limit (seconds, snapshots, °C, fps); null where the rule has none. */
  threshold: number | null;
  enabled: boolean;
}

/** The latest telemetry of a device as the rules read it. */
export interface TelemetryFacts {
  ts: number;
  fps: number;
  cpuPercent: number;
  temperatureC: number | null;
  outboxDepth: number;
  /** null when unknown (telemetry from before the cloud's restart, read from the device row). */
  sourceState: string | null;
  sourceError?: string | undefined;
  /** Agent uptime; null when unknown. The frame rate is not judged in the first FPS_WARMUP_S. */
  uptimeS?: number | null | undefined;
}

export interface AlertView {
  id: number;
  rule: string;
  /** critical or warning */
  severity: string;
  deviceId: string;
  roomId: string | null;
  state: AlertState;
  message: string;
  value: number | null;
  threshold: number | null;
  firedAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  resolvedAt: number | null;
}

export interface AlertsList {
  open: AlertView[];
  resolved: AlertView[];
  counts: { firing: number; acknowledged: number };
  rules: RuleView[];
  webhook: { configured: boolean; delivered: number; pending: number; dropped: number };
}

/** Desired vs applied config revision; `none` while no config was pushed (the device runs its local file). */
export interface ConfigStatus {
  desired: number;
  applied: number | null;
  appliedAt: number | null;
  state: 'none' | 'applied' | 'pending' | 'refused';
  refusedRevision: number | null;
  error: string | null;
}

export interface HistoryPoint {
  ts: number;
  fps: number;
  cpuPercent: number;
  temperatureC: number | null;
  outboxDepth: number;
  sourceState: string;
}

export interface DeviceHealthView {
  id: string;
  roomId: string;
  status: DeviceState;
  lastSeen: number | null;
  software: string | null;
  model: { id: string; version: string } | null;
  telemetry: TelemetryFacts | null;
  config: ConfigStatus;
  openAlerts: number;
}

export interface DeviceHistory {
  device: DeviceHealthView;
  since: number;
  until: number;
  points: HistoryPoint[];
  alerts: AlertView[];
}
