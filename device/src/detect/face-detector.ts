import { cropGray, iou, resizeGray, type Box, type GrayImage } from '../image/gray-image';
import { equalizeGray } from './equalize-gray';
import { boxToSource, rotateGray } from './rotate-gray';

export interface DetectionParams {
  /** Haar pyramid step (1.1 = 10% per level): smaller finds more faces, costs more. */
  scaleFactor: number;
  /** Overlapping raw hits needed to keep a face: higher means fewer false positives. */
  minNeighbors: number;
  /** Smallest and largest face side in source-frame pixels. */
  minFacePx: number;
  maxFacePx: number;
  /** Detect on a frame scaled by this factor (0.5 = half size; ~4x cheaper). */
  downscale: number;
  /** Region of interest as fractions of the frame; null = whole frame. */
  roi: { x: number; y: number; w: number; h: number } | null;
  /**
   * Extra in-plane rotations (degrees) to search besides upright: the frontal cascade only sees heads
   * tilted by less than ~10-15 degrees, so [-30, 30] also finds listeners leaning on a hand. Each angle
   * costs one more pass on a canvas that holds the whole turned frame (2x the pixels at 30 degrees on 16:9).
   */
  rotations: readonly number[];
  /** Histogram-equalise the detection image first (helps dim or washed-out halls). */
  equalize: boolean;
}

export const DEFAULT_DETECTION: DetectionParams = {
  scaleFactor: 1.1,
  minNeighbors: 5,
  minFacePx: 24,
  maxFacePx: 2000,
  downscale: 1,
  roi: null,
  rotations: [],
  equalize: false,
};

/**
 * Recommended rotation passes when recall matters more than cost: on composed FER2013 lecture-hall scenes
 * (Training rows) they raise Haar recall from 91.1 % to 97.4 % for 2.6x the detection time there, and ~5x at the agent's
 * defaults on a 1280x720 frame (84 -> 412 ms native, 181 -> 857 ms wasm, 2 CPU cores). Not in
 * DEFAULT_DETECTION, which stays plain detectMultiScale so the bench compares like with like against C++.
 */
export const TILT_ROTATIONS: readonly number[] = [-30, 30];

/**
 * Detections from different rotations overlapping by at least this much are the same face. Haar boxes of
 * one face at neighbouring angles overlap by ~0.5-0.8; neighbouring seats barely touch.
 */
export const ROTATION_MERGE_IOU = 0.3;

export type DetectorKind = 'wasm' | 'native';

/** The part each plugin implements: plain Haar detectMultiScale on an already prepared image. */
export interface HaarBackend {
  readonly kind: DetectorKind;
  detectRaw(
    img: GrayImage,
    scaleFactor: number,
    minNeighbors: number,
    minSize: number,
    maxSize: number,
  ): Promise<Box[]>;
  dispose(): void;
}

export interface FaceDetector {
  readonly kind: DetectorKind;
  detect(img: GrayImage, params?: Partial<DetectionParams>): Promise<Box[]>;
  dispose(): void;
}

/**
 * Region of interest and downscale are applied here, identically for both plugins, so the two return the
 * same boxes for the same frame; boxes come back in source-frame coordinates, sorted for stable output.
 */
export class HaarFaceDetector implements FaceDetector {
  constructor(private readonly backend: HaarBackend) {}

  get kind(): DetectorKind {
    return this.backend.kind;
  }

  async detect(img: GrayImage, overrides: Partial<DetectionParams> = {}): Promise<Box[]> {
    const p = { ...DEFAULT_DETECTION, ...overrides };
    const bad = p.rotations.find((a) => !Number.isFinite(a) || Math.abs(a) > 90);
    if (bad !== undefined) throw new Error(`detection.rotations must be degrees in [-90, 90], got ${bad}`);
    let region = img;
    let ox = 0;
    let oy = 0;
    if (p.roi) {
      ox = Math.round(p.roi.x * img.width);
      oy = Math.round(p.roi.y * img.height);
      const w = Math.max(1, Math.min(img.width - ox, Math.round(p.roi.w * img.width)));
      const h = Math.max(1, Math.min(img.height - oy, Math.round(p.roi.h * img.height)));
      region = cropGray(img, { x: ox, y: oy, width: w, height: h });
    }
    const s = p.downscale;
    let scaled =
      s < 1
        ? resizeGray(region, Math.max(1, Math.round(region.width * s)), Math.max(1, Math.round(region.height * s)))
        : region;
    if (p.equalize) scaled = equalizeGray(scaled);
    const minSize = Math.max(1, Math.round(p.minFacePx * s));
    const maxSize = Math.max(minSize, Math.round(p.maxFacePx * s));
    const detectOn = (im: GrayImage): Promise<Box[]> =>
      this.backend.detectRaw(im, p.scaleFactor, p.minNeighbors, minSize, maxSize);
    let boxes = await detectOn(scaled);
    // Smallest tilt first, so a face seen at several angles keeps the box of the most upright pass.
    const angles = [...new Set(p.rotations)].filter((a) => a !== 0).sort((a, b) => Math.abs(a) - Math.abs(b) || a - b);
    for (const angle of angles) {
      const rotated = rotateGray(scaled, angle);
      for (const found of await detectOn(rotated.image)) {
        const box = boxToSource(found, rotated);
        if (boxes.every((kept) => iou(kept, box) < ROTATION_MERGE_IOU)) boxes = [...boxes, box];
      }
    }
    return boxes
      .map((b) => ({ x: ox + b.x / s, y: oy + b.y / s, width: b.width / s, height: b.height / s }))
      .sort((a, b) => a.y - b.y || a.x - b.x || a.width - b.width);
  }

  dispose(): void {
    this.backend.dispose();
  }
}
