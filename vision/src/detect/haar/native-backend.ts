import type { Box, GrayImage } from '../../image/gray-image';
import type { HaarBackend } from './haar-detector';

/** The slice of @u4/opencv4nodejs we use; it is an optional dependency, so no compile-time import. */
interface NativeCv {
  Mat: new (data: Buffer, rows: number, cols: number, type: number) => unknown;
  Size: new (w: number, h: number) => unknown;
  CascadeClassifier: new (path: string) => {
    detectMultiScaleAsync(
      img: unknown,
      opts: { scaleFactor: number; minNeighbors: number; flags?: number; minSize: unknown; maxSize: unknown },
    ): Promise<{ objects: { x: number; y: number; width: number; height: number }[] }>;
  };
  CV_8UC1: number;
  setNumThreads?(n: number): void;
}

let native: NativeCv | null | undefined;
let nativeError = '';

/** Loads @u4/opencv4nodejs if it was built on this machine; null (with `nativeUnavailableReason`) otherwise. */
export function loadNativeOpenCv(): NativeCv | null {
  if (native !== undefined) return native;
  try {
    // Its build helper prints progress on stdout unless silenced; keep stdout clean for JSON output.
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      (require('@u4/opencv-build') as { Log: { silence: boolean } }).Log.silence = true;
    } catch {
      /* helper absent: nothing to silence */
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    native = require('@u4/opencv4nodejs') as NativeCv;
  } catch (err) {
    nativeError = (err as Error).message.split('\n')[0] ?? 'not installed';
    native = null;
  }
  return native;
}

export function nativeUnavailableReason(): string {
  return nativeError;
}

/** Haar detection through the system OpenCV (C++), off the event loop via detectMultiScaleAsync. */
export class NativeHaarBackend implements HaarBackend {
  readonly kind = 'native' as const;

  private constructor(
    private readonly cv: NativeCv,
    private readonly cascade: InstanceType<NativeCv['CascadeClassifier']>,
  ) {}

  static create(cascadePath: string, threads?: number): NativeHaarBackend {
    const cv = loadNativeOpenCv();
    if (!cv)
      throw new Error(`native detector unavailable: @u4/opencv4nodejs is not installed or not built (${nativeError})`);
    if (threads !== undefined) cv.setNumThreads?.(threads);
    return new NativeHaarBackend(cv, new cv.CascadeClassifier(cascadePath));
  }

  async detectRaw(
    img: GrayImage,
    scaleFactor: number,
    minNeighbors: number,
    minSize: number,
    maxSize: number,
  ): Promise<Box[]> {
    const { cv } = this;
    const mat = new cv.Mat(
      Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength),
      img.height,
      img.width,
      cv.CV_8UC1,
    );
    const res = await this.cascade.detectMultiScaleAsync(mat, {
      scaleFactor,
      minNeighbors,
      flags: 0,
      minSize: new cv.Size(minSize, minSize),
      maxSize: new cv.Size(maxSize, maxSize),
    });
    return res.objects.map((r) => ({ x: r.x, y: r.y, width: r.width, height: r.height }));
  }

  dispose(): void {
    /* the native cascade is garbage-collected */
  }
}
