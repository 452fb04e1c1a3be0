import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode, topicFor, type Snapshot } from '@lectern/protocol';
import { Outbox } from '@lectern/device';
import {
  createFaceDetector,
  DEFAULT_PIPELINE,
  emotionCrop,
  DEFAULT_DETECTION,
  defaultCascadePath,
  FfmpegDecoder,
  FramePipeline,
  nativeDetectorAvailable,
  nativeUnavailableReason,
  type DetectionParams,
  type EmotionModel,
  type FaceDetection,
  type FaceDetector,
  type GrayImage,
} from '@lectern/vision';
import { buildCppReference, runCppReference } from './cpp-reference';

export interface BenchFrame {
  /** e.g. "group 1280x720", "crowd". */
  name: string;
  image: GrayImage;
}

export interface BenchOptions {
  frames: BenchFrame[];
  /** A video clip whose decode cost per frame stands for the camera stage. */
  clip: string;
  model: EmotionModel;
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

export interface FrameBench {
  name: string;
  width: number;
  height: number;
  decodeMs: number;
  cropMs: number;
  classifyMs: number;
  publishMs: number;
  yunet: DetectorTiming;
  native: DetectorTiming | null;
  wasm: DetectorTiming;
  cpp: DetectorTiming | null;
  /** Haar time over YuNet time on this frame (native Haar where it is built, else WASM). */
  haarOverYunetTime: number;
  /** Detection throughput ratios (frames/s over frames/s). */
  nativeOverCpp: number | null;
  wasmOverNative: number | null;
}

export interface BenchResult {
  runs: number;
  threads: number;
  detection: DetectionParams;
  frames: FrameBench[];
  nativeSkipped?: string;
  cppSkipped?: string;
  /** Headline figures: time ratios on the first frame, faces found on the last (the crowded one). */
  haarOverYunetTime: number;
  yunetFacesFound: number;
  haarFacesFound: number;
  nativeOverCpp: number | null;
  wasmOverNative: number | null;
}

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
 * Per-stage cost of the device pipeline on real multi-face frames: decode (ffmpeg), detect (YuNet, Haar native,
 * Haar WASM and the C++ Haar reference on the same pixels, interleaved), crop, classify (one batched ORT run)
 * and publish (snapshot built, schema-checked, encoded and fsynced into the durable outbox).
 */
export async function runBench(opts: BenchOptions): Promise<BenchResult> {
  if (opts.frames.length === 0) throw new Error('runBench: no frames');
  const runs = opts.runs ?? 7;
  const threads = opts.threads ?? availableParallelism();
  const detection: DetectionParams = { ...DEFAULT_DETECTION, ...opts.detection };
  const log = opts.log ?? (() => {});
  const cascadePath = defaultCascadePath();
  const yunet = await createFaceDetector({ kind: 'yunet', threads });
  const wasm = await createFaceDetector({ kind: 'haar', haarBackend: 'wasm', cascadePath });
  const native = nativeDetectorAvailable()
    ? await createFaceDetector({ kind: 'haar', haarBackend: 'native', cascadePath, threads })
    : null;
  const cpp = opts.withCpp === false ? ({ ok: false, reason: 'disabled' } as const) : await buildCppReference();
  const outboxDir = mkdtempSync(join(tmpdir(), 'lectern-bench-outbox-'));
  const outbox = new Outbox(outboxDir);
  const decodeCache = new Map<string, number>();
  const results: FrameBench[] = [];
  try {
    for (const { name, image: frame } of opts.frames) {
      const { width, height } = frame;
      log(`${name}: decode`);
      const size = `${width}x${height}`;
      if (!decodeCache.has(size)) decodeCache.set(size, await decodeMsPerFrame(opts.clip, width, height, 30));
      const decodeMs = decodeCache.get(size)!;
      log(`${name}: detect`);
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
        { yunet, wasm, native },
        cpp.ok ? (f) => runCppReference(cpp.binary, f, cppArgs, 2) : null,
      );
      const boxes = timed.yunet!.boxes;
      log(`${name}: crop, classify, publish (${boxes.length} faces)`);
      const cropSettings = { align: DEFAULT_PIPELINE.align, margin: DEFAULT_PIPELINE.cropMargin };
      const crop = await timeRuns(runs, () => boxes.map((b) => emotionCrop(frame, b, 'yunet', cropSettings)));
      const classify = await timeRuns(runs, () => opts.model.classify(crop.last));
      const pipeline = new FramePipeline(yunet, opts.model);
      await pipeline.process(frame, Date.now());
      const modelRef = { id: opts.model.modelId, version: opts.model.version };
      const publish = await timeRuns(runs, () => publishOnce(outbox, pipeline, modelRef));
      const timing = (d: Detected | null): DetectorTiming | null =>
        d ? { detectMs: d.ms, faces: d.boxes.length } : null;
      const haar = timed.native ?? timed.wasm!;
      results.push({
        name,
        width,
        height,
        decodeMs,
        cropMs: crop.ms,
        classifyMs: classify.ms,
        publishMs: publish.ms,
        yunet: timing(timed.yunet)!,
        native: timing(timed.native),
        wasm: timing(timed.wasm)!,
        cpp: timed.cpp,
        haarOverYunetTime: haar.ms / timed.yunet!.ms,
        nativeOverCpp: timed.native && timed.cpp ? timed.cpp.detectMs / timed.native.ms : null,
        wasmOverNative: timed.native ? timed.native.ms / timed.wasm!.ms : null,
      });
    }
  } finally {
    yunet.dispose();
    wasm.dispose();
    native?.dispose();
    outbox.close();
    rmSync(outboxDir, { recursive: true, force: true });
  }
  const first = results[0]!;
  const last = results.at(-1)!;
  return {
    runs,
    threads,
    detection,
    frames: results,
    ...(native ? {} : { nativeSkipped: nativeUnavailableReason() || '@u4/opencv4nodejs is not built' }),
    ...(cpp.ok ? {} : { cppSkipped: cpp.reason }),
    haarOverYunetTime: first.haarOverYunetTime,
    yunetFacesFound: last.yunet.faces,
    haarFacesFound: (last.native ?? last.wasm).faces,
    nativeOverCpp: first.nativeOverCpp,
    wasmOverNative: first.wasmOverNative,
  };
}

type Detected = { ms: number; boxes: FaceDetection[] };
type DetectorSet = { yunet: FaceDetector; wasm: FaceDetector; native: FaceDetector | null };

/**
 * Round-robin over the in-process detectors (one run each per round) so that load from other processes on a
 * shared machine hits all of them alike; medians over the rounds. The C++ reference runs afterwards, in rounds
 * of its own: timed between the others, its process start and exit slowed the next in-process call by up to 10x
 * (YuNet 19 -> 209 ms at 1280x720). Each C++ process runs twice and keeps the second run, so process start and
 * the first-call allocations are not counted.
 */
async function interleavedDetect(
  runs: number,
  frame: GrayImage,
  detection: DetectionParams,
  detectors: DetectorSet,
  cpp: ((f: GrayImage) => Promise<{ runs: number[]; faces: number }>) | null,
): Promise<{ yunet: Detected | null; wasm: Detected | null; native: Detected | null; cpp: DetectorTiming | null }> {
  const keys = ['yunet', 'wasm', 'native'] as const;
  const times: Record<(typeof keys)[number], number[]> = { yunet: [], wasm: [], native: [] };
  const found: Record<(typeof keys)[number], FaceDetection[]> = { yunet: [], wasm: [], native: [] };
  for (const key of keys) found[key] = (await detectors[key]?.detect(frame, detection)) ?? []; // warm-up
  for (let i = 0; i < runs; i++) {
    for (const key of keys) {
      const d = detectors[key];
      if (!d) continue;
      const t = performance.now();
      found[key] = await d.detect(frame, detection);
      times[key].push(performance.now() - t);
    }
  }
  const cppTimes: number[] = [];
  let cppFaces = 0;
  for (let i = 0; cpp && i < runs; i++) {
    const r = await cpp(frame);
    cppTimes.push(r.runs.at(-1)!);
    cppFaces = r.faces;
  }
  const result = (key: (typeof keys)[number]): Detected | null =>
    detectors[key] ? { ms: median(times[key]), boxes: found[key] } : null;
  return {
    yunet: result('yunet'),
    wasm: result('wasm'),
    native: result('native'),
    cpp: cpp ? { detectMs: median(cppTimes), faces: cppFaces } : null,
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
