import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { createCpuSession } from '../../onnx-session';
import type { GrayImage } from '../../image/gray-image';
import type { FaceDetection, Point } from '../face-detector';
import { Candidates, CANDIDATE_STRIDE, decodeStride, YUNET_STRIDES } from './decode';
import { InputTensorBuilder, inputGeometry } from './input-tensor';
import { nms } from './nms';

export interface YunetParams {
  /** Keep faces scoring at least this. Lower finds more small and turned faces, and more false ones. */
  scoreThreshold: number;
  /** Boxes overlapping more than this IoU are one face. */
  nmsIou: number;
  /** At most this many candidates (best first) enter non-maximum suppression. */
  topK: number;
  /**
   * Detect on the region resized by this factor (cost grows with its square). At 1, faces below ~18 px
   * tall start to score under the threshold; 2 lifts 15 px faces to >= 0.72. 0.5 suits frames whose faces
   * are all > 40 px. Upscaling is bilinear, downscaling averages pixels (no aliasing).
   */
  scale: number;
  /** Smallest and largest face (longer box side) in source-frame pixels. */
  minFacePx: number;
  maxFacePx: number;
  /** Region of interest as fractions of the frame; null = whole frame. */
  roi: { x: number; y: number; w: number; h: number } | null;
}

/**
 * Far below OpenCV's 0.9, because YuNet's scores fall with face size. On FER2013 Training faces
 * placed at 112 px 0.9 keeps 48-59 % of them and 0.6 keeps 90-94 %; at 24 px, 0.1 % against 75 %. On the
 * six face-api sample photos (22 faces counted by eye) every face scores >= 0.87 at full size and >= 0.6
 * down to ~20 px tall, while of the non-faces over 60 downscaled versions (faces 15-90 px, scale 1 and 2)
 * one scores 0.63, four 0.5-0.55 and the rest < 0.5. Faces under ~18 px need scale 2 (their scores rise
 * from 0.3-0.8 to >= 0.72).
 * The value, 0.4: chosen on FER2013 Training scenes (first 1,800 rows, never PublicTest) and the development set
 * (lab/devset). Recall on composed scenes at 0.6 / 0.5 / 0.4 / 0.3: faces of 112 px 0.943 / 0.954 / 0.964 /
 * 0.972, 32 px 0.832 / 0.867 / 0.899 / 0.921, 24 px 0.619 / 0.687 / 0.742 / 0.792, false positives at 32 px
 * 3 / 6 / 17 / 31 per 1,800 faces. On the development set recall stays 1.0 at every shrink down to 25 % and
 * precision falls from 1.0 (0.6) to 0.958 (0.5) and 0.92 (0.4 and 0.3) on the full-size photos; 0.4 is the
 * lowest threshold before the crowded frame's precision drops too (0.988 at 0.4, 0.977 at 0.3).
 */
export const DEFAULT_YUNET: YunetParams = {
  scoreThreshold: 0.4,
  nmsIou: 0.3,
  topK: 5000,
  scale: 1,
  minFacePx: 10,
  maxFacePx: 4000,
  roi: null,
};

/**
 * The shipped YuNet-n files. int8 is the default: in one run it found exactly the faces fp32 found on the
 * development set at every shrink (crowded frame: the same 84 of 85 plus one false detection) in 10-14 % less
 * time on x86 (vision/models/yunet/README.md; `lectern-models quantize --model yunet` makes it).
 */
export const YUNET_MODEL_FILES = { int8: 'yunet_n_int8.onnx', fp32: 'yunet_n_dynamic.onnx' } as const;

/** The shipped model, vision/models/yunet/: this file sits three levels below vision/ in src/ and in dist/. */
export function yunetModelPath(variant: keyof typeof YUNET_MODEL_FILES = 'int8'): string {
  return resolve(__dirname, '../../..', 'models/yunet', YUNET_MODEL_FILES[variant]);
}

const OUTPUTS = ['cls', 'obj', 'bbox', 'kps'] as const;

function checkParams(p: YunetParams): void {
  if (!(p.scale > 0) || !Number.isFinite(p.scale)) throw new Error(`yunet: scale must be > 0, got ${p.scale}`);
  if (!(p.scoreThreshold >= 0 && p.scoreThreshold <= 1))
    throw new Error(`yunet: scoreThreshold must be in [0, 1], got ${p.scoreThreshold}`);
  if (!(p.nmsIou >= 0 && p.nmsIou <= 1)) throw new Error(`yunet: nmsIou must be in [0, 1], got ${p.nmsIou}`);
  if (p.roi && !(p.roi.w > 0 && p.roi.h > 0)) throw new Error('yunet: roi must have positive w and h');
}

/** YuNet (libfacedetection.train, 2023) on ONNX Runtime, CPU. Not re-entrant: calls are queued. */
export class YunetDetector {
  readonly kind = 'yunet' as const;
  private readonly input = new InputTensorBuilder();
  private readonly candidates = new Candidates();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly modelPath: string,
  ) {}

  static async create(opts: { modelPath?: string; threads?: number } = {}): Promise<YunetDetector> {
    const path = opts.modelPath ?? yunetModelPath();
    if (!existsSync(path)) throw new Error(`YuNet model not found at ${path}`);
    const session = await createCpuSession(path, opts.threads);
    const missing = YUNET_STRIDES.flatMap((s) => OUTPUTS.map((o) => `${o}_${s}`)).filter(
      (n) => !session.outputNames.includes(n),
    );
    if (missing.length > 0 || session.inputNames.length !== 1)
      throw new Error(`${path}: not a YuNet export (missing outputs ${missing.join(', ')})`);
    return new YunetDetector(session, path);
  }

  /** Faces in source-frame coordinates, best score first. */
  detect(img: GrayImage, params: Partial<YunetParams> = {}): Promise<FaceDetection[]> {
    // Serialised because the input tensor and candidate buffers are shared between calls.
    const run = this.queue.then(() => this.detectNow(img, { ...DEFAULT_YUNET, ...params }));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async detectNow(img: GrayImage, p: YunetParams): Promise<FaceDetection[]> {
    checkParams(p);
    const g = inputGeometry(img.width, img.height, p.roi, p.scale);
    const data = this.input.build(img, g);
    const feeds = { [this.session.inputNames[0]!]: new ort.Tensor('float32', data, [1, 3, g.padH, g.padW]) };
    const out = await this.session.run(feeds);
    const cand = this.candidates;
    cand.reset();
    try {
      for (const s of YUNET_STRIDES) {
        const get = (name: string): Float32Array => out[`${name}_${s}`]!.data as Float32Array;
        decodeStride(
          { cls: get('cls'), obj: get('obj'), bbox: get('bbox'), kps: get('kps') },
          s,
          g.padW,
          g.padH,
          p.scoreThreshold,
          cand,
        );
      }
    } finally {
      for (const t of Object.values(out)) t.dispose();
    }
    // Network pixels -> source-frame pixels, per axis (rounding makes outW/srcW differ slightly from scale).
    // YuNet's coordinates are continuous, pixel i spanning [i, i+1) (on FER faces placed at 24-112 px the
    // median box and eye-midpoint x sit at 0.500 of the face in these units at every size, not at 0.5 px
    // off), so they scale about the region's corner with no half-pixel shift.
    const sx = g.srcW / g.outW;
    const sy = g.srcH / g.outH;
    const d = cand.data;
    for (let i = 0; i < cand.count; i++) {
      const o = i * CANDIDATE_STRIDE;
      for (let k = 0; k < 14; k += 2) {
        const isSize = k === 2;
        d[o + k] = isSize ? d[o + k]! * sx : g.srcX + d[o + k]! * sx;
        d[o + k + 1] = isSize ? d[o + k + 1]! * sy : g.srcY + d[o + k + 1]! * sy;
      }
    }
    // Size limits before NMS, so a rejected box cannot suppress an accepted one.
    const sizeOk = (o: number): boolean => {
      const side = Math.max(d[o + 2]!, d[o + 3]!);
      return side >= p.minFacePx && side <= p.maxFacePx;
    };
    return nms(d, cand.count, p.nmsIou, p.topK, sizeOk).map((o) => {
      const landmarks: Point[] = [];
      for (let k = 0; k < 5; k++) landmarks.push({ x: d[o + 4 + 2 * k]!, y: d[o + 5 + 2 * k]! });
      return { x: d[o]!, y: d[o + 1]!, width: d[o + 2]!, height: d[o + 3]!, score: d[o + 14]!, landmarks };
    });
  }

  dispose(): void {
    void this.session.release();
  }
}
