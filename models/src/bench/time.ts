/** Median ms per call of `fn` over `rounds` timed blocks, after warm-up; the median resists noisy neighbours. */
export async function medianMsPerCall(
  fn: () => Promise<unknown>,
  opts: { warmup: number; rounds: number; callsPerRound: number },
): Promise<number> {
  for (let i = 0; i < opts.warmup; i++) await fn();
  const samples: number[] = [];
  for (let r = 0; r < opts.rounds; r++) {
    const start = performance.now();
    for (let i = 0; i < opts.callsPerRound; i++) await fn();
    samples.push((performance.now() - start) / opts.callsPerRound);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? NaN;
}
