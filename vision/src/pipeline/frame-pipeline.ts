import { aggregateFaces, EMOTION_COUNT, type Aggregate, type Track } from '@lectern/protocol';
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
}

export const DEFAULT_PIPELINE: PipelineSettings = {
  detection: {},
  emotionEnabled: true,
  smoothingAlpha: 0.5,
  cropMargin: DEFAULT_CROP_MARGIN,
  align: false,
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
  /** Raw (unsmoothed) probabilities per box; empty when emotion inference is off. */
  probabilities: Float32Array[];
  times: StageTimes;
}

export interface RoomState {
  faces: number;
  tracks: Track[];
  aggregate: Aggregate;
}

/**
 * detect -> track -> crop -> classify (one batched ORT run) -> per-track EMA. Frames and crops live only
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
    const tracks = this.tracker.update(boxes, now);
    let probabilities: Float32Array[] = [];
    let t2 = t1;
    if (this.settings.emotionEnabled && this.model && boxes.length > 0) {
      const crop = { align: this.settings.align, margin: this.settings.cropMargin };
      const crops = boxes.map((b) => emotionCrop(image, b, this.detector.kind, crop));
      t2 = performance.now();
      probabilities = await this.model.classify(crops);
      const a = this.settings.smoothingAlpha;
      probabilities.forEach((p, i) => {
        const track = tracks[i]!;
        if (!track.p) track.p = Float64Array.from(p);
        else for (let c = 0; c < EMOTION_COUNT; c++) track.p[c] = a * p[c]! + (1 - a) * track.p[c]!;
      });
    }
    const t3 = performance.now();
    return {
      boxes,
      trackIds: tracks.map((t) => t.id),
      probabilities,
      times: { detectMs: t1 - t0, cropMs: t2 - t1, classifyMs: t3 - t2 },
    };
  }

  /** The room as of `now`: every live track, their smoothed probabilities and the aggregate. */
  roomState(now: number): RoomState {
    const live = this.tracker.active(now);
    if (!this.settings.emotionEnabled) {
      const aggregate = aggregateFaces([]);
      aggregate.attention = live.length ? live.filter((t) => t.frontal).length / live.length : 0;
      return { faces: live.length, tracks: [], aggregate };
    }
    const tracks: Track[] = live
      .filter((t) => t.p)
      .map((t) => ({
        id: t.id,
        p: normalise(t.p!),
        frontal: t.frontal,
        ageS: Math.max(0, (now - t.startedAt) / 1000),
      }));
    const aggregate = aggregateFaces(tracks);
    // Attention counts every tracked listener, classified or not.
    aggregate.attention = live.length ? live.filter((t) => t.frontal).length / live.length : 0;
    return { faces: live.length, tracks, aggregate };
  }
}

/** Rounds to 4 decimals (keeps payloads small) and clamps into [0, 1]. */
function normalise(p: Float64Array): number[] {
  return Array.from(p, (v) => Math.min(1, Math.max(0, Math.round(v * 1e4) / 1e4)));
}
