import { FACE_SIZE_BINS_PX, faceSizeBin } from '@lectern/protocol';

/** Face counts per FACE_SIZE_BINS_PX bin for a list of face sizes (px, the box's longer side). */
export function faceSizeCounts(sizesPx: Iterable<number>): number[] {
  const counts = new Array<number>(FACE_SIZE_BINS_PX.length).fill(0);
  for (const px of sizesPx) counts[faceSizeBin(px)]!++;
  return counts;
}

/** What a tally holds: the histogram, and how many faces fell below the readable size exactly. */
export interface FaceSizeSummary {
  /** Faces per FACE_SIZE_BINS_PX bin. */
  counts: number[];
  total: number;
  /** Faces below minReadablePx (counted from the sizes, as the threshold need not sit on a bin edge). */
  tooSmall: number;
  minReadablePx: number;
}

/**
 * Accumulates the sizes of detected faces over a period (a telemetry interval, an aim check, the preview's
 * recent frames) for installers: do the faces the camera sees reach the readable size?
 */
export class FaceSizeTally {
  private counts = faceSizeCounts([]);
  private total = 0;
  private tooSmall = 0;

  constructor(public minReadablePx: number) {}

  add(sizesPx: Iterable<number>): void {
    for (const px of sizesPx) {
      this.counts[faceSizeBin(px)]!++;
      this.total++;
      if (px < this.minReadablePx) this.tooSmall++;
    }
  }

  summary(): FaceSizeSummary {
    return { counts: [...this.counts], total: this.total, tooSmall: this.tooSmall, minReadablePx: this.minReadablePx };
  }

  /** The summary so far, and a fresh start (per telemetry interval). */
  take(): FaceSizeSummary {
    const s = this.summary();
    this.counts = faceSizeCounts([]);
    this.total = 0;
    this.tooSmall = 0;
    return s;
  }
}
