import { EMOTIONS } from '@lectern/protocol';
import { argmaxOf } from './argmax';
import { createDetector, createEmotionModel } from '@lectern/vision';
import type { DetectorKind } from '@lectern/vision';
import { cropFace } from '@lectern/vision';
import { FfmpegDecoder } from '@lectern/vision';
import { probeVideo } from '@lectern/vision';

export interface VideoMarginResult {
  margin: number;
  /** Share of detected faces whose top class is `expected`. */
  hitRate: number;
  /** Mean probability of `expected`. */
  meanP: number;
}

/**
 * The same margin comparison on a real clip whose whole content has one known expression (e.g. the
 * smiling man in Intel's head-pose sample): real framing around the Haar box, one label.
 */
export async function sweepVideoMargins(
  path: string,
  expected: (typeof EMOTIONS)[number],
  margins: number[],
  opts: { sampleFps?: number; detector?: DetectorKind } = {},
): Promise<{ faces: number; results: VideoMarginResult[] }> {
  const info = await probeVideo(path);
  const scale = Math.min(1, 1280 / info.width);
  const decoder = new FfmpegDecoder({
    input: path,
    width: Math.round(info.width * scale),
    height: Math.round(info.height * scale),
    fps: opts.sampleFps ?? 4,
  });
  const detector = await createDetector({ detector: opts.detector ?? 'haar' });
  const model = await createEmotionModel();
  const target = EMOTIONS.indexOf(expected);
  const hits = new Array<number>(margins.length).fill(0);
  const pSum = new Array<number>(margins.length).fill(0);
  let faces = 0;
  try {
    for (let image = await decoder.next(); image; image = await decoder.next()) {
      const boxes = await detector.detect(image);
      if (boxes.length === 0) continue;
      faces += boxes.length;
      for (let m = 0; m < margins.length; m++) {
        const probs = await model.classify(boxes.map((b) => cropFace(image, b, margins[m])));
        for (const p of probs) {
          hits[m]! += argmaxOf(p) === target ? 1 : 0;
          pSum[m]! += p[target]!;
        }
      }
    }
    await decoder.exit;
    if (decoder.error) throw new Error(decoder.error);
  } finally {
    await decoder.close();
    detector.dispose();
    await model.close();
  }
  const n = Math.max(1, faces);
  return { faces, results: margins.map((margin, m) => ({ margin, hitRate: hits[m]! / n, meanP: pSum[m]! / n })) };
}
