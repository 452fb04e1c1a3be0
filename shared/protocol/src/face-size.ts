import { z } from 'zod';

/**
 * Face sizes are the detector box's longer side in camera pixels. Installers see them as a histogram over
 * these bins (telemetry `faceSizes`, the device's aim check and preview): the lower edges in px, the last
 * bin open-ended. Chosen around the emotion model's accuracy-by-size curve (models/README.md).
 */
export const FACE_SIZE_BINS_PX = [0, 12, 14, 16, 20, 24, 32, 48, 96] as const;

/** Index of the FACE_SIZE_BINS_PX bin a face of `px` falls into. */
export function faceSizeBin(px: number): number {
  let bin = 0;
  for (let i = 0; i < FACE_SIZE_BINS_PX.length; i++) if (px >= FACE_SIZE_BINS_PX[i]!) bin = i;
  return bin;
}

/** "16-20 px", "96+ px": a bin's label for people. */
export function faceSizeBinLabel(bin: number): string {
  const lo = FACE_SIZE_BINS_PX[bin];
  if (lo === undefined) throw new Error(`no face size bin ${bin}`);
  const hi = FACE_SIZE_BINS_PX[bin + 1];
  return hi === undefined ? `${lo}+ px` : `${lo}-${hi} px`;
}

/** Face counts per FACE_SIZE_BINS_PX bin. */
export const faceSizeHistogram = z.array(z.number().int().min(0)).length(FACE_SIZE_BINS_PX.length);

/**
 * How many of a snapshot's faces were read. Faces whose box is smaller than `minReadablePx` are tracked and
 * counted in `faces` but not classified: the emotion model cannot read them reliably (accuracy by face
 * size, models/README.md), and mixing them in would drag the room towards noise.
 */
export const readingSchema = z.strictObject({
  /** Faces classified: exactly the snapshot's `tracks`, and all that the aggregate is made of. */
  read: z.number().int().min(0),
  /** Faces tracked but smaller than minReadablePx, so not classified. */
  tooSmall: z.number().int().min(0),
  /** The device's minimum readable face size (px, the detector box's longer side). */
  minReadablePx: z.number().int().min(1).max(2000),
});

export type Reading = z.infer<typeof readingSchema>;
export type FaceSizeHistogram = z.infer<typeof faceSizeHistogram>;
