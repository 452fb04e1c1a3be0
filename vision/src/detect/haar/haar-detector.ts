import { cropGray, iou, resizeBilinear, type Box, type GrayImage } from '../../image/gray-image';
import {
  DEFAULT_DETECTION,
  ROTATION_MERGE_IOU,
  type DetectionParams,
  type FaceDetection,
  type FaceDetector,
  type HaarBackendKind,
} from '../face-detector';
import { equalizeGray } from './equalize-gray';
import { boxToSource, rotateGray } from './rotate-gray';

/** The part each Haar plugin (native OpenCV, OpenCV WASM) implements: plain detectMultiScale on a prepared image. */
export interface HaarBackend {
  readonly kind: HaarBackendKind;
  detectRaw(
    img: GrayImage,
    scaleFactor: number,
    minNeighbors: number,
    minSize: number,
    maxSize: number,
  ): Promise<Box[]>;
  dispose(): void;
}

/**
 * Region of interest and downscale are applied here, identically for both plugins, so the two return the
 * same boxes for the same frame; boxes come back in source-frame coordinates, sorted for stable output.
 */
export class HaarFaceDetector implements FaceDetector {
  constructor(private readonly backend: HaarBackend) {}

  readonly kind = 'haar';

  get name(): string {
    return `haar-${this.backend.kind}`;
  }

  /** Which OpenCV build runs the cascade. */
  get backendKind(): HaarBackendKind {
    return this.backend.kind;
  }

  async detect(img: GrayImage, overrides: Partial<DetectionParams> = {}): Promise<FaceDetection[]> {
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
        ? resizeBilinear(region, Math.max(1, Math.round(region.width * s)), Math.max(1, Math.round(region.height * s)))
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
      .map((b) => ({ x: ox + b.x / s, y: oy + b.y / s, width: b.width / s, height: b.height / s, score: 1 }))
      .sort((a, b) => a.y - b.y || a.x - b.x || a.width - b.width);
  }

  dispose(): void {
    this.backend.dispose();
  }
}
