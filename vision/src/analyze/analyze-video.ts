import type { Aggregate, Reading, Track } from '@lectern/protocol';
import type { DetectorKind } from '../detect/face-detector';
import { createDetector, createEmotionModel } from '../pipeline/create-pipeline';
import { FramePipeline } from '../pipeline/frame-pipeline';
import { FfmpegDecoder } from '../source/ffmpeg-decoder';
import { probeVideo } from '../source/ffprobe';

export interface AnalyzeVideoOptions {
  onProgress?(fraction: number): void;
  signal?: AbortSignal;
  detector?: DetectorKind;
  /** Frames analysed per second of video (default 4). */
  sampleFps?: number;
  /** Downscale large videos so their width is at most this (default 1280). */
  maxWidth?: number;
  /**
   * Analyse at most this many seconds of video, whatever the container declares (default: no limit):
   * ffmpeg reads no further than about a second past it and no frame beyond it is analysed. A video that
   * goes on past the limit ends the analysis early with `truncated: true`.
   */
  maxDurationS?: number;
}

/** One second of video: the room as the device would have reported it at offset `t`. */
export interface VideoSecond {
  /** Offset of the second from the start of the video, in seconds. */
  t: number;
  faces: number;
  tracks: Track[];
  aggregate: Aggregate;
  /** Read and too-small faces (frame pixels after maxWidth): only read faces make up `tracks` and `aggregate`. */
  reading: Reading;
}

export interface VideoAnalysis {
  /** Frames analysed (after sampling). */
  frames: number;
  durationS: number;
  width: number;
  height: number;
  sampleFps: number;
  model: { id: string; version: string };
  snapshots: VideoSecond[];
  /** The video went on past `maxDurationS`; only the first `maxDurationS` seconds were analysed. */
  truncated?: boolean;
}

/**
 * Runs the device pipeline over an uploaded video file, faster than real time, entirely in memory.
 * Fails with a readable Error on anything ffprobe cannot read or that holds no video stream.
 * Progress (0..1) goes to `onProgress`, or to `opts.onProgress` when that is not given; the cloud's upload
 * worker calls `analyzeVideo(path, { onProgress, signal })`.
 */
export async function analyzeVideo(
  path: string,
  opts: AnalyzeVideoOptions = {},
  onProgress: ((fraction: number) => void) | undefined = opts.onProgress,
): Promise<VideoAnalysis> {
  const sampleFps = opts.sampleFps ?? 4;
  if (!(sampleFps > 0 && sampleFps <= 60)) throw new Error(`sampleFps must be in (0, 60], got ${sampleFps}`);
  const maxS = opts.maxDurationS;
  if (maxS !== undefined && !(maxS > 0)) throw new Error(`maxDurationS must be > 0, got ${maxS}`);
  // Counted in analysed frames, so a container that lies about its length cannot stretch it.
  const maxFrames = maxS === undefined ? Infinity : Math.ceil(maxS * sampleFps);
  opts.signal?.throwIfAborted();
  const info = await probeVideo(path, [], 30_000, opts.signal);
  const maxWidth = opts.maxWidth ?? 1280;
  const scale = Math.min(1, maxWidth / info.width);
  const width = Math.max(2, Math.round(info.width * scale));
  const height = Math.max(2, Math.round(info.height * scale));

  const detector = await createDetector({ detector: opts.detector });
  const model = await createEmotionModel();
  const pipeline = new FramePipeline(detector, model);
  const decoder = new FfmpegDecoder({
    input: path,
    // One second past the limit, so a frame beyond it shows that the video goes on.
    inputArgs: maxS === undefined ? [] : ['-t', String(maxS + 1)],
    width,
    height,
    fps: sampleFps,
  });
  const onAbort = () => void decoder.close();
  opts.signal?.addEventListener('abort', onAbort);
  const snapshots: VideoSecond[] = [];
  let frames = 0;
  let second = 0;
  let lastMs = 0;
  let truncated = false;
  try {
    for (let image = await decoder.next(); image; image = await decoder.next()) {
      opts.signal?.throwIfAborted();
      if (frames >= maxFrames) {
        truncated = true;
        await decoder.close();
        break;
      }
      const tS = frames / sampleFps;
      const ms = Math.round(tS * 1000);
      while (Math.floor(tS) > second) {
        snapshots.push({ t: second, ...pipeline.roomState(lastMs) });
        second++;
      }
      await pipeline.process(image, ms);
      lastMs = ms;
      frames++;
      // Without a declared length (browser-recorded webm), progress is measured against the limit.
      const expectedS = info.durationS > 0 ? info.durationS : (maxS ?? 0);
      if (expectedS > 0) onProgress?.(Math.min(1, tS / expectedS));
    }
    opts.signal?.throwIfAborted();
    await decoder.exit;
    if (decoder.error && !truncated) throw new Error(`cannot decode video ${path}: ${decoder.error}`);
    if (frames === 0) throw new Error(`cannot decode video ${path}: no frames could be decoded`);
    snapshots.push({ t: second, ...pipeline.roomState(lastMs) });
    onProgress?.(1);
    return {
      frames,
      durationS: info.durationS,
      width,
      height,
      sampleFps,
      model: { id: model.modelId, version: model.version },
      snapshots,
      ...(truncated ? { truncated } : {}),
    };
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    await decoder.close();
    detector.dispose();
    await model.close();
  }
}
