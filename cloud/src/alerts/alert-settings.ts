/** Alert rule thresholds and the webhook, from LECTERN_ALERT_* (see docs/alerts.md). 0 turns a rule off. */
export interface AlertSettings {
  /** POSTed JSON on every fire and resolve; null: no webhook. */
  webhookUrl: string | null;
  /** How often the rules are evaluated, in ms (status changes are evaluated at once as well). */
  evalIntervalMs: number;
  /** A device whose status is offline for this long fires `offline`. */
  offlineS: number;
  /** A device that says it is online but sent nothing (status or telemetry) for this long fires `offline` too. */
  silentS: number;
  /** Outbox backlog (snapshots waiting on the device) above which `outbox-backlog` fires. */
  outboxDepth: number;
  /** SoC temperature (°C) at or above which `temperature` fires. */
  temperatureC: number;
  /** `fps-drop` fires below this frame rate (default 0.1, the lowest detection rate a config can set)... */
  fpsMin: number;
  /** ...or below this share of the device's mean fps over the past hour. */
  fpsDropRatio: number;
  /** `source-failure` fires while the camera/stream is failed or reconnecting. */
  sourceFailure: boolean;
  /** Telemetry history kept for the device charts, in days. */
  historyDays: number;
  /** Resolved alerts kept, in days. */
  retentionDays: number;
}
