import { z } from 'zod';

/**
 * What the cloud needs from the device's `analyzeVideo` result: one entry per sampled second. Parsed
 * loosely (offset may be called t, tS or offsetS) so the two packages can evolve independently.
 */
const probs = z.array(z.number().min(0).max(1)).length(7);
const entry = z
  .object({
    t: z.number().min(0).optional(),
    tS: z.number().min(0).optional(),
    offsetS: z.number().min(0).optional(),
    faces: z.number().int().min(0),
    tracks: z
      .array(z.object({ id: z.number().int().min(0), p: probs, frontal: z.boolean().optional() }).loose())
      .default([]),
    aggregate: z.object({ distribution: probs, valence: z.number(), attention: z.number() }).loose().optional(),
    emotionEnabled: z.boolean().optional(),
  })
  .loose();

export const analysisResultSchema = z
  .object({ frames: z.number().int().min(0), durationS: z.number().min(0), snapshots: z.array(entry) })
  .loose();

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

export function normalizeAnalysis(raw: unknown): Analysis {
  const r = analysisResultSchema.safeParse(raw);
  if (!r.success) throw new Error(`video analysis returned an unexpected result: ${z.prettifyError(r.error)}`);
  return {
    frames: r.data.frames,
    durationS: r.data.durationS,
    points: r.data.snapshots.map((s, i) => ({
      offsetS: s.t ?? s.tS ?? s.offsetS ?? i,
      faces: s.faces,
      tracks: s.tracks.map((t) => ({ id: t.id, p: t.p, frontal: t.frontal ?? true })),
      distribution: s.faces > 0 && s.aggregate && s.emotionEnabled !== false ? s.aggregate.distribution : null,
      valence: s.faces > 0 && s.aggregate && s.emotionEnabled !== false ? s.aggregate.valence : null,
      attention: s.faces > 0 && s.aggregate ? s.aggregate.attention : null,
    })),
  };
}
