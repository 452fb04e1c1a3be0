import { Presets, SingleBar } from 'cli-progress';

export interface Progress {
  update(done: number): void;
  stop(): void;
}

/** A progress bar on stderr, so stdout stays a clean report (or one JSON object with --json). */
export function progressBar(label: string, total: number, unit: string): Progress {
  const bar = new SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | ETA {eta_formatted}`,
      stream: process.stderr,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0);
  return { update: (done) => bar.update(Math.min(done, total)), stop: () => bar.stop() };
}

export function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got "${text}"`);
  return n;
}

export function detectorKindFlag(text: string): 'auto' | 'wasm' | 'native' {
  if (text === 'auto' || text === 'wasm' || text === 'native') return text;
  throw new Error(`--detector must be auto, native or wasm, got "${text}"`);
}
