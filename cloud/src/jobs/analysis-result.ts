import { readFacesOf } from '@lectern/protocol';
import type { VideoAnalysis } from '@lectern/vision';

export interface AnalysisPoint {
  offsetS: number;
  faces: number;
  /** Faces the emotion figures stand for (`readFacesOf`). */
  read: number;
  tracks: { id: number; p: number[]; frontal: boolean }[];
  distribution: number[] | null;
  valence: number | null;
  attention: number | null;
}

export interface Analysis {
  frames: number;
  durationS: number;
  points: AnalysisPoint[];
}

/** The stored shape of a video analysis: one point per sampled second, emotion figures only where faces were read. */
export function normalizeAnalysis(result: VideoAnalysis, emotionEnabled = true): Analysis {
  return {
    frames: result.frames,
    durationS: result.durationS,
    points: result.snapshots.map((s) => {
      const read = readFacesOf({ faces: s.faces, emotionEnabled, reading: s.reading, tracks: s.tracks });
      return {
        offsetS: s.t,
        faces: s.faces,
        read,
        tracks: s.tracks.map((t) => ({ id: t.id, p: t.p, frontal: t.frontal })),
        distribution: read > 0 ? s.aggregate.distribution : null,
        valence: read > 0 ? s.aggregate.valence : null,
        attention: s.faces > 0 ? s.aggregate.attention : null,
      };
    }),
  };
}
