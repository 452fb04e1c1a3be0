import { EMOTION_COUNT } from '@lectern/protocol';

/** Resting log-odds of a lecture audience: mostly neutral, some happy/surprise, little disgust. */
const BASELINE = [-1.2, -2.6, -1.6, 0.2, -1.0, -0.8, 1.4];

export type Random = () => number;

/** Standard normal via Box-Muller. */
export function gaussian(random: Random): number {
  const u = Math.max(random(), 1e-12);
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function softmax(logits: readonly number[]): number[] {
  const max = Math.max(...logits);
  const exps = logits.map((l) => Math.exp(l - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/**
 * A room's mood as a mean-reverting random walk (Ornstein-Uhlenbeck) in log-odds space: it drifts
 * plausibly from second to second yet never runs away from a lecture-like baseline.
 */
export class RoomMood {
  private readonly logits: number[];

  constructor(
    private readonly random: Random = Math.random,
    private readonly reversion = 0.05,
    private readonly volatility = 0.25,
  ) {
    this.logits = BASELINE.map((b) => b + gaussian(random) * 0.5);
  }

  step(): void {
    for (let i = 0; i < EMOTION_COUNT; i++) {
      const l = this.logits[i]!;
      this.logits[i] = l + this.reversion * (BASELINE[i]! - l) + this.volatility * gaussian(this.random);
    }
  }

  /** One listener's probabilities: the room mood plus a personal offset. */
  sample(personal: readonly number[]): number[] {
    return softmax(this.logits.map((l, i) => l + (personal[i] ?? 0)));
  }
}
