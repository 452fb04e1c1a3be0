// Shapes of the HTTP contract shared by the server and the web app. Types only, no imports: the web
// app imports this file with `import type`, so nothing of the server reaches its bundle.

export interface TrackAggregate {
  key: string;
  p: number[];
  frontal: boolean;
}

/** How a session began: a speaker, the room's timetable, faces appearing, or an uploaded video. */
export type SessionSource = 'manual' | 'schedule' | 'auto' | 'upload';

/** What the dashboard receives for a room. */
export interface LiveAggregate {
  roomId: string;
  ts: number;
  /** Faces tracked by the room's devices: every listener seen, read or not. */
  faces: number;
  /** The faces the emotion figures stand for (protocol `readFacesOf`, summed over the room's devices). */
  read: number;
  /** Faces smaller than their device's minimum readable size: tracked and counted, never classified. */
  tooSmall: number;
  /**
   * The largest (strictest) minimum readable face size among the room's devices with emotion inference on, in
   * px; every too-small face is under it. Null when no such device reports one (agents before the size gate).
   */
  minReadablePx: number | null;
  /** Whether a device of the room that sees faces runs emotion inference; false: counts and attention only. */
  emotionEnabled: boolean;
  /**
   * The minimum group size K withheld something: attention below K faces, emotion figures below K read
   * faces. Counts are never withheld.
   */
  suppressed: boolean;
  /** Null when no face is read (inference off, all too small), or below K read faces. */
  distribution: number[] | null;
  dominant: string | null;
  valence: number | null;
  /** Null when nobody is seen, or below K faces. */
  attention: number | null;
  /** Empty below K read faces. */
  tracks: TrackAggregate[];
  sessionId: string | null;
  /** How the running session began, so the speaker's page can offer to take over an automatic one. */
  sessionSource: SessionSource | null;
}

/** A device's recent face sizes (telemetry `faceSizes`): do the faces its camera sees reach the readable size? */
export interface DeviceFaceSizes {
  /** Faces seen per FACE_SIZE_BINS_PX bin since the device's previous telemetry. */
  counts: number[];
  faces: number;
  /**
   * Faces in bins that end at or below minReadablePx. A bin the threshold cuts through counts as readable, so
   * this is a lower bound, exact when the threshold sits on a bin edge (the agents' default 14 px does).
   */
  tooSmall: number;
  minReadablePx: number;
}

export interface RoomView {
  id: string;
  name: string;
  buildingId: string;
  buildingName: string;
  deviceIds: string[];
  minGroupSize: number;
  live: LiveAggregate | null;
}

export interface TimelinePoint {
  ts: number;
  /** Mean faces over the point's bucket. */
  faces: number;
  /** Mean read faces over the point's bucket (see LiveAggregate.read). */
  read: number;
  valence: number | null;
  attention: number | null;
  distribution: number[] | null;
}

export type PeakKind = 'valence-high' | 'valence-low' | 'attention-low';

export interface Peak {
  ts: number;
  kind: PeakKind;
  value: number;
}

export interface ReportSummary {
  durationS: number;
  /** Mean faces and mean read faces over the timeline's points (equal weight per point). */
  meanFaces: number;
  meanRead: number;
  meanValence: number | null;
  meanAttention: number | null;
  distribution: number[] | null;
  peakFaces: number;
}
