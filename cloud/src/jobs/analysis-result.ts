import type { VideoAnalysis } from '@lectern/vision';

export interface AnalysisPoint {
  offsetS: number;
  faces: number;
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
    points: result.snapshots.map((s) => ({
      offsetS: s.t,
      faces: s.faces,
      tracks: s.tracks.map((t) => ({ id: t.id, p: t.p, frontal: t.frontal })),
      distribution: s.faces > 0 && emotionEnabled ? s.aggregate.distribution : null,
      valence: s.faces > 0 && emotionEnabled ? s.aggregate.valence : null,
      attention: s.faces > 0 ? s.aggregate.attention : null,
    })),
  };
}
