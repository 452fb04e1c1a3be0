import { FaceSizeTally, type FaceSizeSummary } from '@lectern/vision';

/** The preview's histogram covers this much recent time: long enough to be steady, short enough to follow a re-aim. */
export const RECENT_WINDOW_MS = 10_000;

/** Face sizes of the frames of the last RECENT_WINDOW_MS, for the live preview. */
export class RecentFaceSizes {
  private frames: { at: number; sizesPx: readonly number[] }[] = [];

  constructor(private readonly windowMs = RECENT_WINDOW_MS) {}

  add(at: number, sizesPx: readonly number[]): void {
    this.frames.push({ at, sizesPx });
    this.drop(at);
  }

  summary(now: number, minReadablePx: number): FaceSizeSummary {
    this.drop(now);
    const tally = new FaceSizeTally(minReadablePx);
    for (const f of this.frames) tally.add(f.sizesPx);
    return tally.summary();
  }

  private drop(now: number): void {
    const from = this.frames.findIndex((f) => now - f.at <= this.windowMs);
    this.frames = from < 0 ? [] : this.frames.slice(from);
  }
}
