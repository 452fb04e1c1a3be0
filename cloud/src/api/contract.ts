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
  faces: number;
  suppressed: boolean;
  /** Null when no device of the room runs emotion inference, or while suppressed. */
  distribution: number[] | null;
  dominant: string | null;
  valence: number | null;
  /** Null when nobody is seen, or while suppressed. */
  attention: number | null;
  tracks: TrackAggregate[];
  sessionId: string | null;
  /** How the running session began, so the speaker's page can offer to take over an automatic one. */
  sessionSource: SessionSource | null;
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
  faces: number;
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
  meanValence: number | null;
  meanAttention: number | null;
  distribution: number[] | null;
  peakFaces: number;
}
