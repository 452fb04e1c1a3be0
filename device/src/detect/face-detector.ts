import { cropGray, resizeGray, type Box, type GrayImage } from '../image/gray-image';

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
}

export const DEFAULT_DETECTION: DetectionParams = {
  scaleFactor: 1.1,
  minNeighbors: 5,
  minFacePx: 24,
  maxFacePx: 2000,
  downscale: 1,
  roi: null,
};

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
    const scaled =
      s < 1
        ? resizeGray(region, Math.max(1, Math.round(region.width * s)), Math.max(1, Math.round(region.height * s)))
        : region;
    const minSize = Math.max(1, Math.round(p.minFacePx * s));
    const maxSize = Math.max(minSize, Math.round(p.maxFacePx * s));
    const boxes = await this.backend.detectRaw(scaled, p.scaleFactor, p.minNeighbors, minSize, maxSize);
    return boxes
      .map((b) => ({ x: ox + b.x / s, y: oy + b.y / s, width: b.width / s, height: b.height / s }))
      .sort((a, b) => a.y - b.y || a.x - b.x || a.width - b.width);
  }

  dispose(): void {
    this.backend.dispose();
  }
}
