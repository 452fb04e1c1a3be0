import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode, topicFor, type Snapshot } from '@lectern/protocol';
import { createFaceDetector, nativeDetectorAvailable } from '../detect/create-detector';
import { nativeUnavailableReason } from '../detect/native-backend';
import { DEFAULT_DETECTION, type DetectionParams, type FaceDetector } from '../detect/face-detector';
import type { Box, GrayImage } from '../image/gray-image';
import { Outbox } from '../outbox/outbox';
import { defaultCascadePath } from '../pipeline/create-pipeline';
import type { EmotionModel } from '../pipeline/emotion-model';
import { cropFace, DEFAULT_CROP_MARGIN } from '../pipeline/face-crop';
import { FramePipeline } from '../pipeline/frame-pipeline';
import { FfmpegDecoder } from '../source/ffmpeg-decoder';
import { buildCppReference, runCppReference } from './cpp-reference';

export interface BenchOptions {
  frame: (width: number, height: number) => Promise<GrayImage>;
  /** A video clip whose decode cost per frame stands for the camera stage. */
  clip: string;
  model: EmotionModel;
  resolutions?: [number, number][];
  runs?: number;
  detection?: Partial<DetectionParams>;
  threads?: number;
  withCpp?: boolean;
  log?: (line: string) => void;
}

export interface DetectorTiming {
  detectMs: number;
  faces: number;
}

export interface ResolutionResult {
  width: number;
  height: number;
  faces: number;
  decodeMs: number;
  cropMs: number;
  classifyMs: number;
  publishMs: number;
  native: (DetectorTiming & { facesPerSecond: number }) | null;
  wasm: DetectorTiming & { facesPerSecond: number };
  cpp: DetectorTiming | null;
  /** Detection throughput ratios (frames/s over frames/s) on this frame. */
  nativeOverCpp: number | null;
  wasmOverNative: number | null;
}

export interface BenchResult {
  runs: number;
  threads: number;
  detection: DetectionParams;
  resolutions: ResolutionResult[];
  nativeSkipped?: string;
  cppSkipped?: string;
  /** Throughput ratios at the largest resolution: the headline figures. */
  nativeOverCpp: number | null;
  wasmOverNative: number | null;
}

export const DEFAULT_RESOLUTIONS: [number, number][] = [
  [640, 480],
  [1280, 720],
];

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function timeRuns<T>(runs: number, fn: () => Promise<T> | T): Promise<{ ms: number; last: T }> {
  let last = await fn(); // warm-up: first calls pay for JIT, WASM tier-up and caches
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    last = await fn();
    times.push(performance.now() - t);
  }
  return { ms: median(times), last };
}

/** Median ms per decoded frame of the clip at this size (ffmpeg start-up excluded). */
async function decodeMsPerFrame(clip: string, width: number, height: number, frames: number): Promise<number> {
  const decoder = new FfmpegDecoder({ input: clip, width, height });
  const gaps: number[] = [];
  try {
    let prev = 0;
    for (let i = 0; i <= frames; i++) {
      const f = await decoder.next();
      if (!f) break;
      const now = performance.now();
      if (i > 0) gaps.push(now - prev);
      prev = now;
    }
  } finally {
    await decoder.close();
  }
  if (gaps.length === 0) throw new Error(`could not decode ${clip}: ${decoder.error ?? 'no frames'}`);
  return median(gaps);
}

/**
 * Per-stage cost of the device pipeline on one real multi-face frame per resolution: decode (ffmpeg),
 * detect (native, wasm and the C++ reference on the same pixels), crop, classify (one batched ORT run) and
 * publish (snapshot built, schema-checked, encoded and fsynced into the durable outbox; the network is not
 * part of it).
 */
export async function runBench(opts: BenchOptions): Promise<BenchResult> {
  const runs = opts.runs ?? 7;
  const threads = opts.threads ?? availableParallelism();
  const detection: DetectionParams = { ...DEFAULT_DETECTION, ...opts.detection };
  const log = opts.log ?? (() => {});
  const cascadePath = defaultCascadePath();
  const wasm = await createFaceDetector({ kind: 'wasm', cascadePath });
  const native = nativeDetectorAvailable() ? await createFaceDetector({ kind: 'native', cascadePath, threads }) : null;
  const cpp = opts.withCpp === false ? ({ ok: false, reason: 'disabled' } as const) : await buildCppReference();
  const outboxDir = mkdtempSync(join(tmpdir(), 'lectern-bench-outbox-'));
  const outbox = new Outbox(outboxDir);
  const results: ResolutionResult[] = [];
  try {
    for (const [width, height] of opts.resolutions ?? DEFAULT_RESOLUTIONS) {
      log(`${width}x${height}: decode`);
      const frame = await opts.frame(width, height);
      const decodeMs = await decodeMsPerFrame(opts.clip, width, height, 30);
      log(`${width}x${height}: detect`);
      const minSize = Math.max(1, Math.round(detection.minFacePx));
      const cppArgs = {
        cascadePath,
        scaleFactor: detection.scaleFactor,
        minNeighbors: detection.minNeighbors,
        minSize,
        maxSize: Math.max(minSize, Math.round(detection.maxFacePx)),
        threads,
      };
      const timed = await interleavedDetect(
        runs,
        frame,
        detection,
        wasm,
        native,
        cpp.ok ? (f) => runCppReference(cpp.binary, f, cppArgs, 2) : null,
      );
      const w = timed.wasm;
      const n = timed.native;
      const cppTiming = timed.cpp;
      const boxes = (n ?? w).boxes;
      log(`${width}x${height}: crop, classify, publish (${boxes.length} faces)`);
      const crop = await timeRuns(runs, () => boxes.map((b) => cropFace(frame, b, DEFAULT_CROP_MARGIN)));
      const classify = await timeRuns(runs, () => opts.model.classify(crop.last));
      const pipeline = new FramePipeline(native ?? wasm, opts.model);
      await pipeline.process(frame, Date.now());
      const modelRef = { id: opts.model.modelId, version: opts.model.version };
      const publish = await timeRuns(runs, () => publishOnce(outbox, pipeline, modelRef));
      const rest = decodeMs + crop.ms + classify.ms + publish.ms;
      const fps = (detectMs: number): number => (boxes.length * 1000) / (detectMs + rest);
      results.push({
        width,
        height,
        faces: boxes.length,
        decodeMs,
        cropMs: crop.ms,
        classifyMs: classify.ms,
        publishMs: publish.ms,
        native: n ? { detectMs: n.ms, faces: n.boxes.length, facesPerSecond: fps(n.ms) } : null,
        wasm: { detectMs: w.ms, faces: w.boxes.length, facesPerSecond: fps(w.ms) },
        cpp: cppTiming,
        nativeOverCpp: n && cppTiming ? cppTiming.detectMs / n.ms : null,
        wasmOverNative: n ? n.ms / w.ms : null,
      });
    }
  } finally {
    wasm.dispose();
    native?.dispose();
    outbox.close();
    rmSync(outboxDir, { recursive: true, force: true });
  }
  const headline = results.at(-1)!;
  return {
    runs,
    threads,
    detection,
    resolutions: results,
    ...(native ? {} : { nativeSkipped: nativeUnavailableReason() || '@u4/opencv4nodejs is not built' }),
    ...(cpp.ok ? {} : { cppSkipped: cpp.reason }),
    nativeOverCpp: headline.nativeOverCpp,
    wasmOverNative: headline.wasmOverNative,
  };
}

type Detected = { ms: number; boxes: Box[] };

/**
 * Round-robin over the detectors (one run each per round) so that load from other processes on a shared
 * machine hits all of them alike; medians over the rounds. The C++ reference runs twice per process and
 * keeps the second run, so process start and the first-call allocations are not counted.
 */
async function interleavedDetect(
  runs: number,
  frame: GrayImage,
  detection: DetectionParams,
  wasm: FaceDetector,
  native: FaceDetector | null,
  cpp: ((f: GrayImage) => Promise<{ runs: number[]; faces: number }>) | null,
): Promise<{ wasm: Detected; native: Detected | null; cpp: DetectorTiming | null }> {
  const times = { wasm: [] as number[], native: [] as number[], cpp: [] as number[] };
  const boxes = { wasm: await wasm.detect(frame, detection), native: (await native?.detect(frame, detection)) ?? [] };
  let cppFaces = 0;
  for (let i = 0; i < runs; i++) {
    for (const [key, d] of [
      ['wasm', wasm],
      ['native', native],
    ] as const) {
      if (!d) continue;
      const t = performance.now();
      boxes[key] = await d.detect(frame, detection);
      times[key].push(performance.now() - t);
    }
    if (cpp) {
      const r = await cpp(frame);
      times.cpp.push(r.runs.at(-1)!);
      cppFaces = r.faces;
    }
  }
  return {
    wasm: { ms: median(times.wasm), boxes: boxes.wasm },
    native: native ? { ms: median(times.native), boxes: boxes.native } : null,
    cpp: cpp ? { detectMs: median(times.cpp), faces: cppFaces } : null,
  };
}

/** What the agent does once a second: room state -> snapshot -> schema-checked encode -> durable outbox. */
function publishOnce(outbox: Outbox, pipeline: FramePipeline, model: Snapshot['model']): number {
  const now = Date.now();
  const room = pipeline.roomState(now);
  return outbox.enqueue((seq) => {
    const snapshot: Snapshot = {
      v: 1,
      deviceId: 'bench',
      roomId: 'bench',
      seq,
      capturedAt: now,
      ...room,
      model,
      emotionEnabled: true,
    };
    return { topic: topicFor('snapshot', 'bench'), payload: encode('snapshot', snapshot) };
  }, now);
}
