import { aggregateFaces, EMOTION_COUNT, type Aggregate, type Reading, type Track } from '@lectern/protocol';
import { DEFAULT_MIN_READABLE_PX, faceSizePx } from '../classifier/readable-size';
import type { DetectionParams, FaceDetection, FaceDetector } from '../detect/face-detector';
import type { GrayImage } from '../image/gray-image';
import { DEFAULT_TRACKER, IouTracker, type TrackerOptions } from '../track/tracker';
import type { EmotionModel } from './emotion-model';
import { DEFAULT_CROP_MARGIN } from '../crop/face-crop';
import { emotionCrop } from '../crop/emotion-crop';

export interface PipelineSettings {
  detection: Partial<DetectionParams>;
  emotionEnabled: boolean;
  /** EMA weight of the newest classification (1 = no smoothing). */
  smoothingAlpha: number;
  cropMargin: number;
  /** Align faces on FER2013's landmark template before classifying (YuNet only; see docs/metrics.md). */
  align: boolean;
  /**
   * Faces whose box's longer side (px of the image passed to `process`) is below this are tracked and counted
   * but never cropped or classified: the model cannot read them (readable-size.ts). An integer >= 1.
   */
  minReadablePx: number;
}

export const DEFAULT_PIPELINE: PipelineSettings = {
  detection: {},
  emotionEnabled: true,
  smoothingAlpha: 0.5,
  cropMargin: DEFAULT_CROP_MARGIN,
  align: false,
  minReadablePx: DEFAULT_MIN_READABLE_PX,
};

export interface StageTimes {
  detectMs: number;
  cropMs: number;
  classifyMs: number;
}

export interface FrameResult {
  boxes: FaceDetection[];
  /** Track id per box, in box order. */
  trackIds: number[];
  /** Each box's size (its longer side, px of the processed image), in box order. */
  sizesPx: number[];
  /** Per box: at least minReadablePx, so classified whenever emotion inference is on. */
  readable: boolean[];
  /** Raw (unsmoothed) probabilities per box, in box order; null where the box was not classified (too small, or emotion inference off). */
  probabilities: (Float32Array | null)[];
  times: StageTimes;
}

export interface RoomState {
  faces: number;
  tracks: Track[];
  aggregate: Aggregate;
  /** How many live tracks were read (exactly `tracks`) and how many were too small to read. */
  reading: Reading;
}

/**
 * detect -> track -> readable-size gate -> crop -> classify (one batched ORT run) -> per-track EMA. Frames and crops live only
 * in memory for the duration of the call.
 */
export class FramePipeline {
  readonly tracker: IouTracker;

  constructor(
    private detector: FaceDetector,
    private model: EmotionModel | null,
    public settings: PipelineSettings = { ...DEFAULT_PIPELINE, detection: {} },
    trackerOptions: TrackerOptions = DEFAULT_TRACKER,
  ) {
    this.tracker = new IouTracker(trackerOptions);
  }

  setDetector(detector: FaceDetector): void {
    this.detector = detector;
  }

  setModel(model: EmotionModel | null): void {
    this.model = model;
  }

  async process(image: GrayImage, now: number): Promise<FrameResult> {
    const t0 = performance.now();
    const boxes = await this.detector.detect(image, this.settings.detection);
    const t1 = performance.now();
    // Detectors return boxes in the coordinates of `image` whatever their downscale/upscale, so these are
    // the sizes the crops would have.
    const sizesPx = boxes.map(faceSizePx);
    const readable = sizesPx.map((px) => px >= this.settings.minReadablePx);
    const tracks = this.tracker.update(boxes, now);
    const probabilities: (Float32Array | null)[] = boxes.map(() => null);
    const toRead = boxes.flatMap((_, i) => (readable[i] ? [i] : []));
    let t2 = t1;
    if (this.settings.emotionEnabled && this.model && toRead.length > 0) {
      const crop = { align: this.settings.align, margin: this.settings.cropMargin };
      const crops = toRead.map((i) => emotionCrop(image, boxes[i]!, this.detector.kind, crop));
      t2 = performance.now();
      const classified = await this.model.classify(crops);
      const a = this.settings.smoothingAlpha;
      classified.forEach((p, k) => {
        const i = toRead[k]!;
        probabilities[i] = p;
        const track = tracks[i]!;
        if (!track.p) track.p = Float64Array.from(p);
        else for (let c = 0; c < EMOTION_COUNT; c++) track.p[c] = a * p[c]! + (1 - a) * track.p[c]!;
      });
    }
    const t3 = performance.now();
    return {
      boxes,
      trackIds: tracks.map((t) => t.id),
      sizesPx,
      readable,
      probabilities,
      times: { detectMs: t1 - t0, cropMs: t2 - t1, classifyMs: t3 - t2 },
    };
  }

  /**
   * The room as of `now`: the read tracks (latest box at least minReadablePx, and classified) with their
   * smoothed probabilities, the aggregate over them, and how many live tracks were too small to read.
   */
  roomState(now: number): RoomState {
    const live = this.tracker.active(now);
    const minReadablePx = this.settings.minReadablePx;
    const tooSmall = live.filter((t) => faceSizePx(t.box) < minReadablePx).length;
    const read = this.settings.emotionEnabled ? live.filter((t) => t.p && faceSizePx(t.box) >= minReadablePx) : [];
    const tracks: Track[] = read.map((t) => ({
      id: t.id,
      p: normalise(t.p!),
      frontal: t.frontal,
      ageS: Math.max(0, (now - t.startedAt) / 1000),
    }));
    const aggregate = aggregateFaces(tracks);
    // Attention counts every tracked listener, read or not: seeing a face frontally needs no emotion model.
    aggregate.attention = live.length ? live.filter((t) => t.frontal).length / live.length : 0;
    return { faces: live.length, tracks, aggregate, reading: { read: tracks.length, tooSmall, minReadablePx } };
  }
}

/** Rounds to 4 decimals (keeps payloads small) and clamps into [0, 1]. */
function normalise(p: Float64Array): number[] {
  return Array.from(p, (v) => Math.min(1, Math.max(0, Math.round(v * 1e4) / 1e4)));
}
