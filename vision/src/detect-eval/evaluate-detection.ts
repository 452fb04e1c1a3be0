import { resizeArea, type Box, type GrayImage } from '../image/gray-image';
import { readGrayImage } from './image-file';
import { averagePrecision, bandOf, matchImage, SIZE_BANDS, type BandName, type ScoredBox } from './detection-metrics';
import type { LabelledImage } from './label-file';

export interface BandFigures {
  faces: number;
  found: number;
  detections: number;
  truePositives: number;
  recall: number;
  precision: number;
}

export interface DetectionEvalResult {
  detector: string;
  images: number;
  faces: number;
  detections: number;
  recall: number;
  precision: number;
  ap: number;
  iou: number;
  /** Photos scaled by this factor onto a canvas of their original size (1 = as they are). */
  shrink: number;
  msPerImage: number;
  bands: Record<BandName, BandFigures>;
}

export interface DetectionEvalOptions {
  detector: string;
  detect: (img: GrayImage) => Promise<ScoredBox[]>;
  iou?: number;
  shrink?: number;
  onImage?: (done: number, total: number) => void;
}

/**
 * The shrink test: the photo reduced by `factor` (area averaging, as a camera further away would see it) in the
 * middle of a canvas of the original size filled with the photo's mean grey, so the detector works on the same
 * frame size with smaller faces. Returns the new frame and the labels moved with it.
 */
export function shrinkOntoCanvas(
  img: GrayImage,
  faces: readonly Box[],
  factor: number,
): { image: GrayImage; faces: Box[] } {
  if (factor === 1) return { image: img, faces: [...faces] };
  const w = Math.max(1, Math.round(img.width * factor));
  const h = Math.max(1, Math.round(img.height * factor));
  const small = resizeArea(img, w, h);
  let sum = 0;
  for (const v of img.data) sum += v;
  const canvas = new Uint8Array(img.width * img.height).fill(Math.round(sum / img.data.length));
  const ox = Math.floor((img.width - w) / 2);
  const oy = Math.floor((img.height - h) / 2);
  for (let y = 0; y < h; y++) canvas.set(small.data.subarray(y * w, (y + 1) * w), (oy + y) * img.width + ox);
  const fx = w / img.width;
  const fy = h / img.height;
  return {
    image: { width: img.width, height: img.height, data: canvas },
    faces: faces.map((f) => ({ x: ox + f.x * fx, y: oy + f.y * fy, width: f.width * fx, height: f.height * fy })),
  };
}

/** Runs `detect` on every labelled image and scores it per face-size band (see detection-metrics.ts). */
export async function evaluateDetection(
  labels: readonly LabelledImage[],
  opts: DetectionEvalOptions,
): Promise<DetectionEvalResult> {
  const minIou = opts.iou ?? 0.3;
  const shrink = opts.shrink ?? 1;
  if (!(minIou > 0 && minIou <= 1)) throw new Error(`--iou must be in (0, 1], got ${minIou}`);
  if (!(shrink > 0 && shrink <= 1)) throw new Error(`--shrink must be in (0, 1], got ${shrink}`);
  const bands = Object.fromEntries(
    SIZE_BANDS.map((b) => [b.name, { faces: 0, found: 0, detections: 0, truePositives: 0, recall: 0, precision: 0 }]),
  ) as Record<BandName, BandFigures>;
  const ranked: { score: number; truePositive: boolean }[] = [];
  let faces = 0;
  let found = 0;
  let detections = 0;
  let ms = 0;
  for (const [i, entry] of labels.entries()) {
    const scene = shrinkOntoCanvas(readGrayImage(entry.path), entry.faces, shrink);
    const t0 = performance.now();
    const dets = await opts.detect(scene.image);
    ms += performance.now() - t0;
    const m = matchImage(scene.faces, dets, minIou);
    faces += scene.faces.length;
    detections += dets.length;
    scene.faces.forEach((f, k) => {
      const band = bands[bandOf(f)];
      band.faces++;
      if (m.matched[k]) {
        band.found++;
        found++;
      }
    });
    dets.forEach((d, k) => {
      const face = m.detectionToFace[k]!;
      // A detection counts in the band of the face it found, or of its own size when it found none.
      const band = bands[bandOf(face >= 0 ? scene.faces[face]! : d)];
      band.detections++;
      if (face >= 0) band.truePositives++;
      ranked.push({ score: d.score, truePositive: face >= 0 });
    });
    opts.onImage?.(i + 1, labels.length);
  }
  for (const b of Object.values(bands)) {
    b.recall = b.faces ? b.found / b.faces : 0;
    b.precision = b.detections ? b.truePositives / b.detections : 1;
  }
  return {
    detector: opts.detector,
    images: labels.length,
    faces,
    detections,
    recall: faces ? found / faces : 0,
    precision: detections ? ranked.filter((r) => r.truePositive).length / detections : 1,
    ap: averagePrecision(ranked, faces),
    iou: minIou,
    shrink,
    msPerImage: labels.length ? ms / labels.length : 0,
    bands,
  };
}
