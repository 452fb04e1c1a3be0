import { readFerCsv } from '@lectern/models';
import { argmaxOf } from './argmax';
import { createDetector, createEmotionModel } from '@lectern/vision';
import type { DetectorKind, HaarBackendKind } from '@lectern/vision';
import { iou, resizeBilinear, type Box, type GrayImage } from '@lectern/vision';
import { cropFace } from '@lectern/vision';
import { texturedBackground } from './textured-background';

export const DEFAULT_MARGINS = [-0.1, -0.05, 0, 0.05, 0.1, 0.15, 0.2, 0.3];

export interface MarginSweepOptions {
  csv: string;
  /** Crop margins to compare (share of the Haar box side added on every side). */
  margins?: number[];
  /** Only the first N faces of the CSV (default: all). */
  limit?: number;
  /** FER2013 `Usage` column filter, e.g. PublicTest; default: every row. */
  usage?: string;
  detector?: DetectorKind;
  haarBackend?: HaarBackendKind | 'auto';
  /** Side of the rendered face in the frame, in pixels (FER's 48 px upscaled). */
  facePx?: number;
  onProgress?(done: number): void;
}

export interface MarginResult {
  margin: number;
  /** Accuracy on faces the detector found. */
  accuracy: number;
}

export interface MarginSweep {
  faces: number;
  detected: number;
  recall: number;
  /** Accuracy of the same detected faces classified on the original FER2013 framing. */
  tightAccuracy: number;
  margins: MarginResult[];
  best: MarginResult;
  /** Mean Haar box side divided by the rendered FER image side: how much of FER's framing Haar keeps. */
  boxToImage: number;
}

const BATCH = 64;

/**
 * Renders each FER2013 face into a frame (upscaled, on a textured background, as a camera would see a
 * listener), finds it with the Haar detector the device uses, crops with every margin and classifies.
 * The margin with the highest accuracy is the one whose crops best match the framing the model was
 * trained on.
 */
export async function sweepCropMargins(opts: MarginSweepOptions): Promise<MarginSweep> {
  const margins = opts.margins ?? DEFAULT_MARGINS;
  const facePx = opts.facePx ?? 144;
  const pad = Math.round(facePx * 0.6);
  const side = facePx + 2 * pad;
  const detector = await createDetector({ detector: opts.detector ?? 'haar', haarBackend: opts.haarBackend });
  const model = await createEmotionModel();
  const correct = new Array<number>(margins.length).fill(0);
  let tightCorrect = 0;
  let faces = 0;
  let detected = 0;
  let boxRatio = 0;
  let pending: { label: number; tight: GrayImage; crops: GrayImage[] }[] = [];

  const flush = async () => {
    if (pending.length === 0) return;
    const tight = await model.classify(pending.map((p) => p.tight));
    pending.forEach((p, i) => (tightCorrect += argmaxOf(tight[i]!) === p.label ? 1 : 0));
    for (let m = 0; m < margins.length; m++) {
      const probs = await model.classify(pending.map((p) => p.crops[m]!));
      pending.forEach((p, i) => (correct[m]! += argmaxOf(probs[i]!) === p.label ? 1 : 0));
    }
    pending = [];
  };

  try {
    for await (const row of readFerCsv(opts.csv, { limit: opts.limit, usage: opts.usage })) {
      faces++;
      const frame = texturedBackground(side, side, row.row);
      const face = resizeBilinear(row.image, facePx, facePx);
      for (let y = 0; y < facePx; y++)
        frame.data.set(face.data.subarray(y * facePx, (y + 1) * facePx), (pad + y) * side + pad);
      const truth: Box = { x: pad, y: pad, width: facePx, height: facePx };
      const boxes = await detector.detect(frame, {
        minFacePx: Math.round(facePx * 0.4),
        maxFacePx: side,
        minNeighbors: 3,
      });
      const box = boxes.map((b) => ({ b, o: iou(b, truth) })).sort((a, b) => b.o - a.o)[0];
      if (box && box.o > 0.2) {
        detected++;
        boxRatio += box.b.width / facePx;
        pending.push({ label: row.label, tight: row.image, crops: margins.map((m) => cropFace(frame, box.b, m)) });
        if (pending.length >= BATCH) await flush();
      }
      opts.onProgress?.(faces);
    }
    await flush();
  } finally {
    detector.dispose();
    await model.close();
  }
  if (faces === 0) throw new Error(`no faces in ${opts.csv}${opts.usage ? ` with usage ${opts.usage}` : ''}`);
  const n = Math.max(1, detected);
  const results = margins.map((margin, m) => ({ margin, accuracy: correct[m]! / n }));
  const best = results.reduce((a, b) => (b.accuracy > a.accuracy ? b : a));
  return {
    faces,
    detected,
    recall: detected / faces,
    tightAccuracy: tightCorrect / n,
    margins: results,
    best,
    boxToImage: boxRatio / n,
  };
}
