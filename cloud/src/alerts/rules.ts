import type { DeviceState, RuleId, RuleView, Severity, TelemetryFacts } from './alert-view';
import type { AlertSettings } from './alert-settings';

export type { RuleId, RuleView, Severity, TelemetryFacts };

export interface DeviceFacts {
  id: string;
  roomId: string;
  status: DeviceState;
  lastSeen: number | null;
  telemetry: TelemetryFacts | null;
  /** Mean fps over the past hour (null with too few samples to judge a drop). */
  fpsBaseline: number | null;
}

/** A rule whose condition holds for a device right now. */
export interface Finding {
  rule: RuleId;
  severity: Severity;
  value: number | null;
  threshold: number | null;
  message: string;
}

const SEVERITY: Record<RuleId, Severity> = {
  offline: 'critical',
  'source-failure': 'critical',
  'outbox-backlog': 'warning',
  temperature: 'warning',
  'fps-drop': 'warning',
};

export function severityOf(rule: string): Severity {
  return SEVERITY[rule as RuleId] ?? 'warning';
}

export function describeSeconds(s: number): string {
  const r = Math.round(s);
  if (r < 120) return `${r} s`;
  if (r < 7200) return `${Math.round(r / 60)} min`;
  return `${Math.round(r / 3600)} h`;
}

const THRESHOLD: Record<RuleId, (s: AlertSettings) => number | null> = {
  offline: (s) => s.offlineS,
  'outbox-backlog': (s) => (s.outboxDepth > 0 ? s.outboxDepth : null),
  temperature: (s) => (s.temperatureC > 0 ? s.temperatureC : null),
  'source-failure': () => null,
  'fps-drop': (s) => (s.fpsMin > 0 ? s.fpsMin : null),
};

export function ruleViews(s: AlertSettings): RuleView[] {
  const view = (id: RuleId, title: string, condition: string, enabled: boolean): RuleView => ({
    id,
    severity: SEVERITY[id],
    title,
    condition,
    threshold: THRESHOLD[id](s),
    enabled,
  });
  return [
    view(
      'offline',
      'Device offline',
      `offline for ${describeSeconds(s.offlineS)}` +
        (s.silentS > 0 ? `, or nothing heard for ${describeSeconds(s.silentS)} while it says online` : ''),
      true,
    ),
    view(
      'outbox-backlog',
      'Outbox backlog',
      `more than ${s.outboxDepth} snapshots waiting on the device`,
      s.outboxDepth > 0,
    ),
    view('temperature', 'Temperature', `${s.temperatureC} °C or hotter`, s.temperatureC > 0),
    view('source-failure', 'Camera or stream failure', 'the frame source is failed or reconnecting', s.sourceFailure),
    view(
      'fps-drop',
      'Frame rate drop',
      [
        s.fpsMin > 0 ? `below ${s.fpsMin} fps` : null,
        s.fpsDropRatio > 0 ? `below ${Math.round(s.fpsDropRatio * 100)} % of the past hour's mean` : null,
      ]
        .filter(Boolean)
        .join(', or ') || 'off',
      s.fpsMin > 0 || s.fpsDropRatio > 0,
    ),
  ];
}

/** An agent's frame rate reads 0 until its pipeline has processed a few frames: not judged before this uptime. */
export const FPS_WARMUP_S = 60;

/** Minimum fps samples in the past hour before a relative drop is judged. */
export const MIN_BASELINE_SAMPLES = 10;

/** The rules whose condition holds for `d` at `now`; an open alert whose rule is not returned resolves. */
export function evaluateDevice(d: DeviceFacts, s: AlertSettings, now: number): Finding[] {
  if (d.status === 'never' || d.lastSeen === null) return [];
  const out: Finding[] = [];
  const add = (rule: RuleId, value: number | null, threshold: number | null, message: string): void => {
    out.push({ rule, severity: SEVERITY[rule], value, threshold, message });
  };
  const where = `${d.id} (room ${d.roomId})`;
  const quietS = Math.max(0, (now - d.lastSeen) / 1000);
  if (d.status === 'offline' && quietS >= s.offlineS) {
    add(
      'offline',
      quietS,
      s.offlineS,
      `${where} has been offline for ${describeSeconds(quietS)}. Check its power and network connection; it resolves when the device reconnects.`,
    );
  } else if (d.status === 'online' && s.silentS > 0 && quietS >= s.silentS) {
    add(
      'offline',
      quietS,
      s.silentS,
      `${where} says it is online but has sent nothing for ${describeSeconds(quietS)}. Check that its agent is running.`,
    );
  }
  const t = d.telemetry;
  if (!t) return out;
  if (s.outboxDepth > 0 && t.outboxDepth > s.outboxDepth) {
    add(
      'outbox-backlog',
      t.outboxDepth,
      s.outboxDepth,
      `${where} has ${t.outboxDepth} snapshots waiting to be sent (more than ${s.outboxDepth}). Check its link to the broker.`,
    );
  }
  if (s.temperatureC > 0 && t.temperatureC !== null && t.temperatureC >= s.temperatureC) {
    add(
      'temperature',
      t.temperatureC,
      s.temperatureC,
      `${where} runs at ${t.temperatureC.toFixed(1)} °C (limit ${s.temperatureC} °C). Check its cooling and ventilation.`,
    );
  }
  const sourceBad = t.sourceState === 'failed' || t.sourceState === 'reconnecting';
  if (s.sourceFailure && sourceBad) {
    add(
      'source-failure',
      null,
      null,
      `${where}: the camera/stream is ${t.sourceState}${t.sourceError ? ` (${t.sourceError})` : ''}. Check the camera's cable, power and URL.`,
    );
  }
  // A failed source explains a low frame rate already; judge the rate only while frames flow.
  const warm = t.uptimeS === null || t.uptimeS === undefined || t.uptimeS >= FPS_WARMUP_S;
  if (warm && (t.sourceState === 'ok' || t.sourceState === null)) {
    if (s.fpsMin > 0 && t.fps < s.fpsMin) {
      add(
        'fps-drop',
        t.fps,
        s.fpsMin,
        `${where} processes ${t.fps.toFixed(1)} fps (minimum ${s.fpsMin}). Check its CPU load and camera.`,
      );
    } else if (s.fpsDropRatio > 0 && d.fpsBaseline !== null && t.fps < s.fpsDropRatio * d.fpsBaseline) {
      const limit = s.fpsDropRatio * d.fpsBaseline;
      add(
        'fps-drop',
        t.fps,
        Number(limit.toFixed(2)),
        `${where} dropped to ${t.fps.toFixed(1)} fps from a mean of ${d.fpsBaseline.toFixed(1)} over the past hour. Check its CPU load and camera.`,
      );
    }
  }
  return out;
}
