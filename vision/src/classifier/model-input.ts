import { assertGrayImage, resizeBilinear, type GrayImage } from '../image/gray-image';
import { unsharpMask } from '../image/unsharp-mask';

/** Side of the square grayscale input the emotion network expects. */
export const MODEL_INPUT_SIZE = 64;

/**
 * Small faces are sharpened after their bilinear upscale: an unsharp mask (amount 1, Gaussian sigma 1 px of the
 * 64x64 input) on crops under 48 px, FER2013's own size. Chosen on FER2013 Training rows 10,000-15,999 (faces
 * area-reduced to N px, int8): +3.0 / +7.7 / +9.2 / +5.4 / +3.2 points at 16 / 24 / 32 / 40 / 46 px; never on
 * 48 px crops, which are the training images themselves (sharpening them costs 7 points). PublicTest, measured
 * once afterwards: +3.6 / +5.5 / +4.3 points at 16 / 24 / 32 px (models/README.md, "Accuracy by face size").
 */
export const SMALL_FACE_SHARPEN = { belowPx: 48, amount: 1, sigma: 1 } as const;

/**
 * Packs faces into the network's NCHW float input [N, 1, 64, 64], scaling gray g to (g/255 - 0.5) * 2
 * (the big_XCEPTION training preprocessing). Faces of another size are resized bilinearly first, and faces
 * smaller than SMALL_FACE_SHARPEN.belowPx sharpened by `smallFaceSharpen` (default SMALL_FACE_SHARPEN.amount;
 * 0 = off). `out` is reused when it is large enough, so a steady frame loop allocates nothing.
 */
export function toModelInput(
  faces: readonly GrayImage[],
  out?: Float32Array,
  smallFaceSharpen: number = SMALL_FACE_SHARPEN.amount,
): Float32Array {
  const plane = MODEL_INPUT_SIZE * MODEL_INPUT_SIZE;
  const needed = faces.length * plane;
  const buf = out && out.length >= needed ? out.subarray(0, needed) : new Float32Array(needed);
  faces.forEach((face, i) => {
    assertGrayImage(face, `face ${i}`);
    let img =
      face.width === MODEL_INPUT_SIZE && face.height === MODEL_INPUT_SIZE
        ? face
        : resizeBilinear(face, MODEL_INPUT_SIZE, MODEL_INPUT_SIZE);
    if (smallFaceSharpen > 0 && Math.max(face.width, face.height) < SMALL_FACE_SHARPEN.belowPx)
      img = unsharpMask(img, smallFaceSharpen, SMALL_FACE_SHARPEN.sigma);
    const base = i * plane;
    for (let p = 0; p < plane; p++) buf[base + p] = ((img.data[p] ?? 0) / 255 - 0.5) * 2;
  });
  return buf;
}
