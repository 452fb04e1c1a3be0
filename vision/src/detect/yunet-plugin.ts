import type { GrayImage } from '../image/gray-image';
import { DEFAULT_DETECTION, type DetectionParams, type FaceDetection, type FaceDetector } from './face-detector';
import { YunetDetector } from './yunet';

/**
 * The `yunet` plugin: DetectionParams -> YuNet's own parameters. `downscale` (<= 1, the cost knob shared with
 * Haar) and `upscale` (>= 1, for faces under ~18 px) multiply into the scale YuNet detects at.
 */
export class YunetFaceDetector implements FaceDetector {
  readonly kind = 'yunet';
  readonly name = 'yunet';

  private constructor(private readonly yunet: YunetDetector) {}

  static async create(opts: { modelPath?: string; threads?: number } = {}): Promise<YunetFaceDetector> {
    return new YunetFaceDetector(await YunetDetector.create(opts));
  }

  detect(img: GrayImage, overrides: Partial<DetectionParams> = {}): Promise<FaceDetection[]> {
    const p = { ...DEFAULT_DETECTION, ...overrides };
    return this.yunet.detect(img, {
      scoreThreshold: p.scoreThreshold,
      nmsIou: p.nmsIou,
      scale: p.downscale * p.upscale,
      minFacePx: p.minFacePx,
      maxFacePx: p.maxFacePx,
      roi: p.roi,
    });
  }

  dispose(): void {
    this.yunet.dispose();
  }
}
