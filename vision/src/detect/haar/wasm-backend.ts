import { readFileSync } from 'node:fs';
import type { Box, GrayImage } from '../../image/gray-image';
import type { HaarBackend } from './haar-detector';

/** The few opencv.js calls we use (its own typings pull in the whole API). */
interface CvMat {
  data: Uint8Array;
  delete(): void;
}
interface CvRectVector {
  size(): number;
  get(i: number): { x: number; y: number; width: number; height: number };
  delete(): void;
}
interface CvCascade {
  load(path: string): boolean;
  detectMultiScale(
    img: CvMat,
    out: CvRectVector,
    scale: number,
    neighbours: number,
    flags: number,
    min: unknown,
    max: unknown,
  ): void;
  delete(): void;
}
interface Cv {
  Mat: new (rows: number, cols: number, type: number) => CvMat;
  RectVector: new () => CvRectVector;
  Size: new (w: number, h: number) => unknown;
  CascadeClassifier: new () => CvCascade;
  CV_8UC1: number;
  FS_createDataFile(parent: string, name: string, data: Uint8Array, read: boolean, write: boolean, own: boolean): void;
  FS_unlink?(path: string): void;
  onRuntimeInitialized?: () => void;
}

let cvPromise: Promise<{ cv: Cv }> | undefined;

/**
 * opencv.js is ~10 MB of WASM: compile it once per process and share it. The Emscripten module is a
 * thenable that resolves to itself, so it must never be awaited or returned from an async function
 * (that spins the microtask queue forever); it travels wrapped in an object instead.
 */
export function loadOpenCvJs(): Promise<{ cv: Cv }> {
  cvPromise ??= new Promise<{ cv: Cv }>((resolve) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cv = require('@techstark/opencv-js') as Cv;
    if (typeof cv.Mat === 'function') resolve({ cv });
    else cv.onRuntimeInitialized = () => resolve({ cv });
  });
  return cvPromise;
}

let cascadeCounter = 0;

/** Haar detection in WebAssembly: no system dependencies, 1.5-1.9x slower than native. */
export class WasmHaarBackend implements HaarBackend {
  readonly kind = 'wasm' as const;

  private constructor(
    private readonly cv: Cv,
    private readonly cascade: CvCascade,
  ) {}

  static async create(cascadePath: string): Promise<WasmHaarBackend> {
    const { cv } = await loadOpenCvJs();
    const name = `cascade-${process.pid}-${cascadeCounter++}.xml`;
    cv.FS_createDataFile('/', name, readFileSync(cascadePath), true, false, false);
    const cascade = new cv.CascadeClassifier();
    const ok = cascade.load(`/${name}`);
    cv.FS_unlink?.(`/${name}`);
    if (!ok) {
      cascade.delete();
      throw new Error(`opencv.js could not load the Haar cascade ${cascadePath}`);
    }
    return new WasmHaarBackend(cv, cascade);
  }

  detectRaw(
    img: GrayImage,
    scaleFactor: number,
    minNeighbors: number,
    minSize: number,
    maxSize: number,
  ): Promise<Box[]> {
    const { cv } = this;
    const mat = new cv.Mat(img.height, img.width, cv.CV_8UC1);
    const rects = new cv.RectVector();
    try {
      mat.data.set(img.data);
      this.cascade.detectMultiScale(
        mat,
        rects,
        scaleFactor,
        minNeighbors,
        0,
        new cv.Size(minSize, minSize),
        new cv.Size(maxSize, maxSize),
      );
      const boxes: Box[] = [];
      for (let i = 0; i < rects.size(); i++) {
        const r = rects.get(i);
        boxes.push({ x: r.x, y: r.y, width: r.width, height: r.height });
      }
      return Promise.resolve(boxes);
    } finally {
      mat.delete();
      rects.delete();
    }
  }

  dispose(): void {
    this.cascade.delete();
  }
}
