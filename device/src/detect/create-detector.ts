import { existsSync } from 'node:fs';
import { HaarFaceDetector, type DetectorKind, type FaceDetector } from './face-detector';
import { loadNativeOpenCv, NativeHaarBackend, nativeUnavailableReason } from './native-backend';
import { WasmHaarBackend } from './wasm-backend';

export const SYSTEM_CASCADE = '/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml';

export interface DetectorOptions {
  /** 'auto' (default) takes native when @u4/opencv4nodejs is built, else wasm. */
  kind?: DetectorKind | 'auto';
  cascadePath: string;
  threads?: number;
}

export function nativeDetectorAvailable(): boolean {
  return loadNativeOpenCv() !== null;
}

export async function createFaceDetector(opts: DetectorOptions): Promise<FaceDetector> {
  if (!existsSync(opts.cascadePath)) throw new Error(`Haar cascade not found: ${opts.cascadePath}`);
  const kind = opts.kind ?? 'auto';
  if (kind === 'native' || (kind === 'auto' && nativeDetectorAvailable())) {
    if (!nativeDetectorAvailable())
      throw new Error(`detector "native" requested but unavailable: ${nativeUnavailableReason()}`);
    return new HaarFaceDetector(NativeHaarBackend.create(opts.cascadePath, opts.threads));
  }
  return new HaarFaceDetector(await WasmHaarBackend.create(opts.cascadePath));
}
