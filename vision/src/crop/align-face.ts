import { cropGray, type Box, type GrayImage } from '../image/gray-image';
import type { FaceDetection, Point } from '../detect/face-detector';
import { FER_EYE_DISTANCE, FER_EYE_MID, ferFrameFromBox } from './face-framing';

/**
 * A 2x3 affine map from output pixel indices to source pixel indices (pixel centres at integers):
 * src = (a*x + b*y + c, d*x + e*y + f).
 */
export interface Affine {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
}

/**
 * Samples `src` at the affine image of every output pixel: bilinear, and coordinates outside the frame are
 * clamped to its border (edge replication), as cropGray does, so a face at the frame edge gets a plausible
 * fill instead of black bars the emotion model never saw in FER2013. No low-pass filter: hall faces (12-60 px)
 * are enlarged to the classifier's input, where none is needed; a face several times larger than the output
 * aliases somewhat.
 */
export function warpAffineGray(src: GrayImage, m: Affine, width: number, height: number): GrayImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0)
    throw new Error(`warpAffineGray: invalid output size ${width}x${height}`);
  const out = new Uint8Array(width * height);
  const W = src.width;
  const maxX = src.width - 1;
  const maxY = src.height - 1;
  const px = src.data;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = Math.min(maxX, Math.max(0, m.a * x + m.b * y + m.c));
      const sy = Math.min(maxY, Math.max(0, m.d * x + m.e * y + m.f));
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(maxX, x0 + 1);
      const y1 = Math.min(maxY, y0 + 1);
      const wx = sx - x0;
      const wy = sy - y0;
      const top = px[y0 * W + x0]! * (1 - wx) + px[y0 * W + x1]! * wx;
      const bottom = px[y1 * W + x0]! * (1 - wx) + px[y1 * W + x1]! * wx;
      out[y * width + x] = Math.round(top * (1 - wy) + bottom * wy);
    }
  }
  return { width, height, data: out };
}

/**
 * The similarity transform that puts the detected eyes where FER2013 has them: rotation levels the eye line,
 * scale comes from the eye distance, translation from the eye midpoint. Only the eyes are used because they
 * are YuNet's steadiest landmarks and fix all four degrees of freedom; nose and mouth move with expression,
 * which is exactly what the emotion model must see, so fitting them would partly undo the expression.
 * Returns the output -> source map for warpAffineGray.
 */
export function ferAlignTransform(landmarks: readonly Point[], outSize: number): Affine {
  const re = landmarks[0];
  const le = landmarks[1];
  if (!re || !le) throw new Error('alignFace: needs at least the two eye landmarks (right eye, left eye)');
  // Eye vector in the source, from the eye on the image's left to the one on its right.
  const vx = le.x - re.x;
  const vy = le.y - re.y;
  const dist = Math.hypot(vx, vy);
  if (!(dist > 0)) throw new Error('alignFace: the two eye landmarks coincide');
  // Source pixels per output pixel, and the rotation that maps the output's level eye line onto (vx, vy).
  const s = dist / (FER_EYE_DISTANCE * outSize);
  const cos = (vx / dist) * s;
  const sin = (vy / dist) * s;
  // Landmarks and the template are continuous coordinates (pixel i spans [i, i+1), as YuNet's are); the
  // sampler indexes pixel centres, hence the -0.5 on both sides.
  const ox = FER_EYE_MID.x * outSize - 0.5;
  const oy = FER_EYE_MID.y * outSize - 0.5;
  const mx = (re.x + le.x) / 2 - 0.5;
  const my = (re.y + le.y) / 2 - 0.5;
  // src = R*s*(dst - o) + m
  return { a: cos, b: -sin, c: mx - cos * ox + sin * oy, d: sin, e: cos, f: my - sin * ox - cos * oy };
}

/** The face warped onto the FER2013 landmark template: an outSize x outSize crop framed like FER, eyes level. */
export function alignFace(img: GrayImage, landmarks: readonly Point[], outSize: number): GrayImage {
  return warpAffineGray(img, ferAlignTransform(landmarks, outSize), outSize, outSize);
}

/**
 * The unaligned path: the square FER-like frame around a detection box (ferFrameFromBox), edge-replicated
 * where it leaves the frame. Without outSize the crop keeps its source resolution (the classifier resizes
 * it, as with Haar crops); with it, it is resampled bilinearly to outSize x outSize.
 */
export function cropFerFrame(img: GrayImage, det: Box | FaceDetection, outSize?: number): GrayImage {
  const frame = ferFrameFromBox(det);
  if (outSize === undefined) return cropGray(img, frame);
  const k = frame.width / outSize;
  // Output pixel centre x+0.5 (edge units) -> frame.x + (x+0.5)*k (edge units) -> minus 0.5 for centres.
  return warpAffineGray(
    img,
    { a: k, b: 0, c: frame.x + 0.5 * k - 0.5, d: 0, e: k, f: frame.y + 0.5 * k - 0.5 },
    outSize,
    outSize,
  );
}

/**
 * Below this eye distance / box height the face is turned too far for an eye-based similarity (FER faces:
 * median 0.353, 1st percentile 0.200; a profile in face-api's sample2 reads 0.13): the eyes nearly overlap,
 * so the scale they give blows the face up and the rotation is noise.
 */
export const MIN_ALIGN_EYE_RATIO = 0.2;

/** alignFace when the detection has landmarks and the face is frontal enough, else cropFerFrame. */
export function alignOrCropFace(img: GrayImage, det: FaceDetection, outSize: number): GrayImage {
  const lm = det.landmarks;
  if (lm && lm.length >= 2 && det.height > 0) {
    const eyes = Math.hypot(lm[1]!.x - lm[0]!.x, lm[1]!.y - lm[0]!.y);
    if (eyes / det.height >= MIN_ALIGN_EYE_RATIO) return alignFace(img, lm, outSize);
  }
  return cropFerFrame(img, det, outSize);
}
