import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { GrayImage } from '@lectern/vision';

const run = promisify(execFile);

/** lab/bench/haar-reference.cpp, found from both src/ (tests, tsx) and dist/ (the built CLI). */
export const CPP_REFERENCE_SOURCE = join(__dirname, '..', '..', 'bench', 'haar-reference.cpp');

export type CppReference = { ok: true; binary: string } | { ok: false; reason: string };

/**
 * Compiles the C++ reference with g++ against the system OpenCV (pkg-config opencv4). Absent compiler or
 * headers are a reason to skip the reference, not an error.
 */
export async function buildCppReference(outDir = join(tmpdir(), 'lectern-bench')): Promise<CppReference> {
  if (!existsSync(CPP_REFERENCE_SOURCE)) return { ok: false, reason: `${CPP_REFERENCE_SOURCE} is missing` };
  let flags: string[];
  try {
    flags = (await run('pkg-config', ['--cflags', '--libs', 'opencv4'])).stdout.trim().split(/\s+/);
  } catch {
    return { ok: false, reason: 'pkg-config opencv4 failed (install libopencv-dev)' };
  }
  mkdirSync(outDir, { recursive: true });
  const binary = join(outDir, 'haar-reference');
  if (existsSync(binary) && statSync(binary).mtimeMs > statSync(CPP_REFERENCE_SOURCE).mtimeMs)
    return { ok: true, binary };
  try {
    await run('g++', ['-O2', '-std=c++17', CPP_REFERENCE_SOURCE, ...flags, '-o', binary]);
  } catch (err) {
    const e = err as { code?: string; stderr?: string; message: string };
    return {
      ok: false,
      reason: e.code === 'ENOENT' ? 'g++ not found' : `g++ failed: ${(e.stderr ?? e.message).trim().split('\n')[0]}`,
    };
  }
  return { ok: true, binary };
}

export interface HaarArgs {
  cascadePath: string;
  scaleFactor: number;
  minNeighbors: number;
  minSize: number;
  maxSize: number;
  threads: number;
}

/** Runs detectMultiScale `runs` times in C++ on the frame; per-run milliseconds and the face count. */
export async function runCppReference(
  binary: string,
  frame: GrayImage,
  args: HaarArgs,
  runs: number,
): Promise<{ runs: number[]; faces: number }> {
  const framePath = join(tmpdir(), `lectern-bench-${process.pid}-${frame.width}x${frame.height}.gray`);
  writeFileSync(framePath, frame.data);
  const { stdout } = await run(binary, [
    args.cascadePath,
    framePath,
    String(frame.width),
    String(frame.height),
    String(args.scaleFactor),
    String(args.minNeighbors),
    String(args.minSize),
    String(args.maxSize),
    String(runs),
    String(args.threads),
  ]);
  return JSON.parse(stdout) as { runs: number[]; faces: number };
}
