import type { DetectorKind, FaceDetection } from '../detect/face-detector';
import type { GrayImage } from '../image/gray-image';
import { alignOrCropFace } from './align-face';
import { cropFace } from './face-crop';
import { ferFrameFromBox } from './face-framing';

export interface EmotionCropSettings {
  /** Rotate, scale and place each face on FER2013's landmark template (needs landmarks: YuNet). */
  align: boolean;
  /** Share of the FER-like frame added on every side (0 matches FER2013; see docs/metrics.md). */
  margin: number;
}

/** Side of an aligned crop: the classifier's own input, so the face is resampled once. */
const ALIGNED_SIDE = 64;

/**
 * The crop the emotion CNN sees, framed like its FER2013 training faces. A Haar box already has FER's framing;
 * a YuNet box (brows to chin) is turned into it from its height (face-framing.ts), or, with `align`, the face is
 * warped onto FER's landmark template.
 */
export function emotionCrop(
  img: GrayImage,
  det: FaceDetection,
  detector: DetectorKind,
  settings: EmotionCropSettings,
): GrayImage {
  if (detector === 'haar') return cropFace(img, det, settings.margin);
  if (settings.align) return alignOrCropFace(img, det, ALIGNED_SIDE);
  return cropFace(img, ferFrameFromBox(det), settings.margin);
}
