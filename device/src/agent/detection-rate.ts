/**
 * Picks how often the agent runs the detection pass when `detection.hz` is 'auto': as often as a CPU budget
 * allows, measured on this board with the faces this camera sees, instead of a fixed 2 Hz that wastes a fast
 * detector (YuNet: a few ms a frame) or overloads a slow board (Haar with rotations: ~0.4 s a frame).
 */
export const AUTO_RATE = {
  /** Rate used until the first measurement. */
  startHz: 5,
  minHz: 0.5,
  /** Tracking and the 1 Hz snapshots gain nothing from more. */
  maxHz: 15,
  /** Share of wall time the frame loop may spend on detect + crop + classify; the rest is decoding, MQTT, OS. */
  budget: 0.6,
  /**
   * Passes measured before a (re)decision, and the change worth reopening the camera for. The decision uses the
   * window's median cost, so a pass slowed by other load (or a frame with many faces) does not move the rate.
   */
  settleFrames: 30,
  hysteresis: 0.3,
} as const;

export class DetectionRate {
  private costs: number[] = [];

  constructor(
    private setting: 'auto' | number,
    private current = setting === 'auto' ? AUTO_RATE.startHz : setting,
  ) {}

  /** The rate in force (passes per second). */
  get hz(): number {
    return this.current;
  }

  get auto(): boolean {
    return this.setting === 'auto';
  }

  /** A new configured value; returns true when the rate in force changed. */
  configure(setting: 'auto' | number): boolean {
    this.setting = setting;
    this.costs = [];
    const next = setting === 'auto' ? this.current : setting;
    const changed = next !== this.current;
    this.current = next;
    return changed;
  }

  /**
   * Records one pass's cost (ms). Returns the new rate when 'auto' decides to change it (the caller reopens
   * the source at that rate), else null.
   */
  observe(passMs: number): number | null {
    if (this.setting !== 'auto') return null;
    this.costs.push(passMs);
    if (this.costs.length < AUTO_RATE.settleFrames) return null;
    const sorted = this.costs.sort((a, b) => a - b);
    const median = sorted[sorted.length >> 1]!;
    // The window restarts after every decision.
    this.costs = [];
    const afford = (AUTO_RATE.budget * 1000) / Math.max(1, median);
    const target = Math.min(AUTO_RATE.maxHz, Math.max(AUTO_RATE.minHz, Math.floor(afford * 2) / 2));
    if (Math.abs(target - this.current) / this.current <= AUTO_RATE.hysteresis) return null;
    this.current = target;
    return target;
  }
}
