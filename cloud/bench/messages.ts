/** IPC between the bench orchestrator and its load processes (simulated devices, browsers). */
export interface BenchDevice {
  deviceId: string;
  roomId: string;
  username?: string;
  password?: string;
}

/** `burst`: each device sends `perDevice` snapshots as fast as QoS 1 allows, capturedAt one virtual second apart. */
export interface BurstJob {
  mode: 'burst';
  brokerUrl: string;
  devices: BenchDevice[];
  perDevice: number;
  faces: number;
  /** Unacknowledged QoS 1 publishes allowed per device connection. */
  window: number;
  /** capturedAt of seq 1; later snapshots follow at 1 s steps. */
  virtualStart: number;
}

/** `rate`: each device publishes one snapshot every 1/hz s of wall time for `durationS`, capturedAt = now. */
export interface RateJob {
  mode: 'rate';
  brokerUrl: string;
  devices: BenchDevice[];
  hz: number;
  durationS: number;
  faces: number;
}

export type PublisherJob = BurstJob | RateJob;

export type PublisherReport =
  | { type: 'ready' }
  | { type: 'done'; sent: number; startedAt: number; endedAt: number }
  | { type: 'error'; message: string };

export interface ListenerJob {
  httpUrl: string;
  token: string;
  roomIds: string[];
}

export type ListenerReport =
  { type: 'ready' } | { type: 'latencies'; samples: number[]; events: number } | { type: 'error'; message: string };
