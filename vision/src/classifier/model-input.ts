import { assertGrayImage, resizeBilinear, type GrayImage } from '../image/gray-image';

/** Side of the square grayscale input the emotion network expects. */
export const MODEL_INPUT_SIZE = 64;

/**
 * Packs faces into the network's NCHW float input [N, 1, 64, 64], scaling gray g to (g/255 - 0.5) * 2
 * (the big_XCEPTION training preprocessing). Faces of another size are resized bilinearly first.
 * `out` is reused when it is large enough, so a steady frame loop allocates nothing.
 */
export function toModelInput(faces: readonly GrayImage[], out?: Float32Array): Float32Array {
  const plane = MODEL_INPUT_SIZE * MODEL_INPUT_SIZE;
  const needed = faces.length * plane;
  const buf = out && out.length >= needed ? out.subarray(0, needed) : new Float32Array(needed);
  faces.forEach((face, i) => {
    assertGrayImage(face, `face ${i}`);
    const img =
      face.width === MODEL_INPUT_SIZE && face.height === MODEL_INPUT_SIZE
        ? face
        : resizeBilinear(face, MODEL_INPUT_SIZE, MODEL_INPUT_SIZE);
    const base = i * plane;
    for (let p = 0; p < plane; p++) buf[base + p] = ((img.data[p] ?? 0) / 255 - 0.5) * 2;
  });
  return buf;
}
