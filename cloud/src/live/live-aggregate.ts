import { mergeAggregates, type Aggregate, type Snapshot } from '@lectern/protocol';
import type { LiveAggregate, SessionSource } from '../api/contract';

export type { LiveAggregate };

/** The unsuppressed room state; stays inside the server (aggregation, sessions). */
export type RoomState = Omit<LiveAggregate, 'suppressed'>;

/** The session running in a room, as stamped on its live state. */
export interface RunningSession {
  id: string;
  source: SessionSource;
}

/** The latest snapshot of each device of a room. */
export type DeviceParts = ReadonlyMap<string, Snapshot>;

/** Merges each device's latest snapshot into the room state; devices with emotion inference off add faces only. */
export function roomStateOf(roomId: string, parts: DeviceParts, session: RunningSession | null, ts: number): RoomState {
  const sessionId = session?.id ?? null;
  const sessionSource = session?.source ?? null;
  let faces = 0;
  const seen: { faces: number; aggregate: Aggregate }[] = [];
  const emotional: { faces: number; aggregate: Aggregate }[] = [];
  const tracks: RoomState['tracks'] = [];
  for (const s of parts.values()) {
    faces += s.faces;
    if (s.faces === 0) continue;
    // Attention needs only face orientation, so it is reported even with emotion inference off.
    seen.push({ faces: s.faces, aggregate: s.aggregate });
    if (!s.emotionEnabled) continue;
    emotional.push({ faces: s.faces, aggregate: s.aggregate });
    for (const t of s.tracks) tracks.push({ key: `${s.deviceId}:${t.id}`, p: t.p, frontal: t.frontal });
  }
  const attention = seen.length ? mergeAggregates(seen).attention : null;
  if (emotional.length === 0) {
    return {
      roomId,
      ts,
      faces,
      distribution: null,
      dominant: null,
      valence: null,
      attention,
      tracks: [],
      sessionId,
      sessionSource,
    };
  }
  const m = mergeAggregates(emotional);
  return {
    roomId,
    ts,
    faces,
    distribution: m.distribution,
    dominant: m.dominant,
    valence: m.valence,
    attention,
    tracks,
    sessionId,
    sessionSource,
  };
}

/** Below the minimum group size nothing but the face count leaves the server (privacy by design). */
export function toLiveAggregate(state: RoomState, minGroupSize: number): LiveAggregate {
  if (state.faces < minGroupSize) {
    return {
      roomId: state.roomId,
      ts: state.ts,
      faces: state.faces,
      suppressed: true,
      distribution: null,
      dominant: null,
      valence: null,
      attention: null,
      tracks: [],
      sessionId: state.sessionId,
      sessionSource: state.sessionSource,
    };
  }
  return { ...state, suppressed: false };
}
