import type { Box, GrayImage } from '../image/gray-image';
import { DEFAULT_YUNET } from './yunet/yunet-detector';

export interface DetectionParams {
  /** Haar: pyramid step (1.1 = 10% per level): smaller finds more faces, costs more. */
  scaleFactor: number;
  /** Haar: overlapping raw hits needed to keep a face: higher means fewer false positives. */
  minNeighbors: number;
  /** Smallest and largest face side in source-frame pixels. */
  minFacePx: number;
  maxFacePx: number;
  /** Detect on a frame scaled by this factor (0.5 = half size; ~4x cheaper). */
  downscale: number;
  /** Region of interest as fractions of the frame; null = whole frame. */
  roi: { x: number; y: number; w: number; h: number } | null;
  /**
   * Extra in-plane rotations (degrees) to search besides upright: the frontal cascade only sees heads
   * tilted by less than ~10-15 degrees, so [-30, 30] also finds listeners leaning on a hand. Each angle
   * costs one more pass on a canvas that holds the whole turned frame (2x the pixels at 30 degrees on 16:9).
   */
  rotations: readonly number[];
  /** Histogram-equalise the detection image first (helps dim or washed-out halls). Haar only. */
  equalize: boolean;
  /** YuNet: keep faces scoring at least this (0-1). Lower finds more small faces and more false ones. */
  scoreThreshold: number;
  /** YuNet: boxes overlapping more than this are one face (non-maximum suppression). */
  nmsIou: number;
  /** YuNet: detect on the frame enlarged by this factor (>= 1) to reach faces below ~12 px; cost grows with its square. */
  upscale: number;
}

export const DEFAULT_DETECTION: DetectionParams = {
  scaleFactor: 1.1,
  minNeighbors: 5,
  minFacePx: 10,
  maxFacePx: 2000,
  downscale: 1,
  roi: null,
  rotations: [],
  equalize: false,
  scoreThreshold: DEFAULT_YUNET.scoreThreshold,
  nmsIou: DEFAULT_YUNET.nmsIou,
  upscale: 1,
};

/**
 * Recommended rotation passes when recall matters more than cost: on composed FER2013 lecture-hall scenes
 * (Training rows) they raise Haar recall from 91.1 % to 97.4 % for 2.6x the detection time there, and ~5x at the agent's
 * defaults on a 1280x720 frame (84 -> 412 ms native, 181 -> 857 ms wasm, 2 CPU cores). Not in
 * DEFAULT_DETECTION, which stays plain detectMultiScale so the bench compares like with like against C++.
 */
export const TILT_ROTATIONS: readonly number[] = [-30, 30];

/**
 * Detections from different rotations overlapping by at least this much are the same face. Haar boxes of
 * one face at neighbouring angles overlap by ~0.5-0.8; neighbouring seats barely touch.
 */
export const ROTATION_MERGE_IOU = 0.3;

/**
 * The detector plugins: `yunet` (a 76 k-parameter CNN on ONNX Runtime, finds small, turned and lowered faces; the
 * default) and `haar` (the paper's Viola-Jones cascade, on native OpenCV or its WASM build).
 */
export const DETECTOR_KINDS = ['yunet', 'haar'] as const;
export type DetectorKind = (typeof DETECTOR_KINDS)[number];
export const DEFAULT_DETECTOR: DetectorKind = 'yunet';

/** Which OpenCV build runs the Haar cascade. */
export type HaarBackendKind = 'wasm' | 'native';

export interface Point {
  x: number;
  y: number;
}

/** A face in source-frame pixels. */
export interface FaceDetection extends Box {
  /** Detector confidence in [0, 1]; 1 for Haar, which has none. */
  score: number;
  /** Five points where the detector gives them (YuNet): right eye, left eye, nose tip, right and left mouth corner. */
  landmarks?: readonly Point[];
}

/** One interface for every detector plugin; each reads the parameters it knows and ignores the rest. */
export interface FaceDetector {
  readonly kind: DetectorKind;
  /** What runs, for telemetry and the preview: e.g. "yunet", "haar-native". */
  readonly name: string;
  detect(img: GrayImage, params?: Partial<DetectionParams>): Promise<FaceDetection[]>;
  dispose(): void;
}
