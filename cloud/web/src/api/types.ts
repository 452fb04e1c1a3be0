// Shapes of the cloud HTTP contract (see the cloud package); kept here so the bundle does not pull in zod.
// The shapes the server declares in src/api/contract.ts are imported from there (type-only: erased from the bundle).
import type {
  DeviceFaceSizes,
  Peak,
  ReportSummary,
  RoomView,
  SessionSource,
  TimelinePoint,
} from '../../../src/api/contract';

export type {
  DeviceFaceSizes,
  LiveAggregate,
  Peak,
  PeakKind,
  ReportSummary,
  SessionSource,
  TimelinePoint,
  TrackAggregate,
} from '../../../src/api/contract';
export type Room = RoomView;

export type Role = 'admin' | 'speaker' | 'installer';

export interface User {
  id: string;
  username: string;
  role: Role;
  roomIds: string[];
}

export interface LoginResponse {
  token: string;
  user: User;
}

export interface ScheduleSlot {
  weekday: number;
  start: string;
  end: string;
  timeZone: string | null;
  title: string | null;
}

export interface RoomSchedule {
  roomId: string;
  defaultTimeZone: string;
  slots: ScheduleSlot[];
}

export interface Session {
  id: string;
  roomId: string;
  title: string;
  startedAt: number | string;
  endedAt: number | string | null;
  source: SessionSource;
  status: string;
}

export interface SessionReport {
  session: Session;
  summary: ReportSummary;
  timeline: TimelinePoint[];
  peaks: Peak[];
  listeners: { key: string; seenS: number; distribution: number[]; meanValence: number | null }[];
}

export interface Telemetry {
  fps: number;
  temperatureC: number | null;
  outboxDepth: number;
  cpuPercent: number | null;
  ts: number;
}

export interface Device {
  id: string;
  roomId: string;
  status: 'online' | 'offline' | 'never';
  lastSeen: number | string | null;
  software: string | null;
  model: { id: string; version: string } | null;
  telemetry: Telemetry | null;
  /** Recent face sizes against the readable size; null from agents before the size gate. */
  faceSizes: DeviceFaceSizes | null;
  configRevision: number | null;
}

export interface DeviceCreated {
  device: Device;
  credentials: { username: string; password: string };
  mqttUrl: string;
  configYaml: string;
  qrPng: string;
}

/** The part of the protocol's DeviceConfig the admin form edits (v/revision/issuedAt are set by the cloud). */
export interface DeviceConfigPatch {
  snapshotHz?: number;
  detection?: { hz?: number; minFacePx?: number };
  emotion?: { enabled?: boolean };
}

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface Job {
  id: string;
  status: JobStatus;
  progress: number;
  error: string | null;
  sessionId: string | null;
  filename: string;
  createdAt: number | string;
}

export interface ApiErrorBody {
  statusCode: number;
  message: string | string[];
  error?: string;
}
