import { EMOTION_COUNT } from '@lectern/protocol';
import type { GrayImage } from '@lectern/vision';
import type { EmotionModel } from '@lectern/vision';

/**
 * A bundled, synthetic face-like sample (oval, eyes, mouth on a gradient): no real person's image ships
 * with the device. The smoke test only checks the model runs and answers with a probability vector.
 */
export function smokeSample(size = 64): GrayImage {
  const data = new Uint8Array(size * size);
  const c = size / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inFace = ((x - c) / (size * 0.38)) ** 2 + ((y - c) / (size * 0.46)) ** 2 < 1;
      let v = inFace ? 170 : 60 + y;
      const eye =
        Math.hypot(x - c + size * 0.15, y - size * 0.4) < size * 0.06 ||
        Math.hypot(x - c - size * 0.15, y - size * 0.4) < size * 0.06;
      const mouth = Math.abs(y - size * 0.7) < size * 0.03 && Math.abs(x - c) < size * 0.15;
      if (eye || mouth) v = 40;
      data[y * size + x] = v;
    }
  }
  return { width: size, height: size, data };
}

export async function smokeTestModel(model: EmotionModel): Promise<void> {
  const [p] = await model.classify([smokeSample(), smokeSample()]);
  if (!p || p.length !== EMOTION_COUNT)
    throw new Error(`smoke test failed: expected ${EMOTION_COUNT} outputs, got ${p?.length ?? 0}`);
  const sum = p.reduce((a, b) => a + b, 0);
  if (!p.every((v) => Number.isFinite(v) && v >= 0 && v <= 1) || Math.abs(sum - 1) > 0.01) {
    throw new Error(`smoke test failed: output is not a probability vector (sum ${sum.toFixed(3)})`);
  }
}
