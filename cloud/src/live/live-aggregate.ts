import { mergeAggregates, readFacesOf, type Aggregate, type Snapshot } from '@lectern/protocol';
import type { LiveAggregate, SessionSource } from '../api/contract';
import { shownAtMinGroup } from '../privacy/min-group';

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

type Part = { faces: number; aggregate: Aggregate };

/**
 * Merges each device's latest snapshot into the room state. Attention is weighted by each device's faces;
 * emotion figures by its read faces, the only ones they are made of. Devices with emotion inference off add
 * faces and attention only.
 */
export function roomStateOf(roomId: string, parts: DeviceParts, session: RunningSession | null, ts: number): RoomState {
  let faces = 0;
  let read = 0;
  let tooSmall = 0;
  let minReadablePx: number | null = null;
  let emotionEnabled = false;
  const seen: Part[] = [];
  const readParts: Part[] = [];
  const tracks: RoomState['tracks'] = [];
  for (const s of parts.values()) {
    faces += s.faces;
    if (s.faces === 0) continue;
    // Attention needs only face orientation, so it is reported even with emotion inference off.
    seen.push({ faces: s.faces, aggregate: s.aggregate });
    if (!s.emotionEnabled) continue;
    emotionEnabled = true;
    const r = readFacesOf(s);
    read += r;
    if (r > 0) readParts.push({ faces: r, aggregate: s.aggregate });
    if (s.reading) {
      tooSmall += s.reading.tooSmall;
      minReadablePx = Math.max(minReadablePx ?? 0, s.reading.minReadablePx);
    }
    for (const t of s.tracks) tracks.push({ key: `${s.deviceId}:${t.id}`, p: t.p, frontal: t.frontal });
  }
  const m = readParts.length ? mergeAggregates(readParts) : null;
  return {
    roomId,
    ts,
    faces,
    read,
    tooSmall,
    minReadablePx,
    emotionEnabled,
    distribution: m?.distribution ?? null,
    dominant: m?.dominant ?? null,
    valence: m?.valence ?? null,
    attention: seen.length ? mergeAggregates(seen).attention : null,
    tracks,
    sessionId: session?.id ?? null,
    sessionSource: session?.source ?? null,
  };
}

/** What leaves the server: the room state less what the minimum group size withholds (privacy by design). */
export function toLiveAggregate(state: RoomState, minGroupSize: number): LiveAggregate {
  const shown = shownAtMinGroup(state.faces, state.read, minGroupSize);
  // A room without emotion inference has no emotion figures to withhold: it is not "suppressed" for lack of them.
  const suppressed = !shown.attention || (state.emotionEnabled && !shown.emotion);
  return {
    ...state,
    suppressed,
    attention: shown.attention ? state.attention : null,
    ...(shown.emotion ? {} : { distribution: null, dominant: null, valence: null, tracks: [] }),
  };
}
