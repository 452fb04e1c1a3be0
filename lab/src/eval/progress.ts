import type { DetectorKind, HaarBackendKind } from '@lectern/vision';
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

export const DETECTOR_FLAG_HELP =
  'yunet (default), haar (native OpenCV when built, else WASM), haar-native or haar-wasm';

/** `--detector` for lab tools: a plugin, optionally with the Haar build pinned. */
export function detectorFlag(text: string): { detector: DetectorKind; haarBackend: HaarBackendKind | 'auto' } {
  if (text === 'yunet') return { detector: 'yunet', haarBackend: 'auto' };
  if (text === 'haar') return { detector: 'haar', haarBackend: 'auto' };
  if (text === 'haar-native') return { detector: 'haar', haarBackend: 'native' };
  if (text === 'haar-wasm') return { detector: 'haar', haarBackend: 'wasm' };
  throw new Error(`--detector must be yunet, haar, haar-native or haar-wasm, got "${text}"`);
}
