import { existsSync } from 'node:fs';
import { DEFAULT_DETECTOR, type DetectorKind, type FaceDetector, type HaarBackendKind } from './face-detector';
import { HaarFaceDetector } from './haar/haar-detector';
import { loadNativeOpenCv, NativeHaarBackend, nativeUnavailableReason } from './haar/native-backend';
import { WasmHaarBackend } from './haar/wasm-backend';
import { YunetFaceDetector } from './yunet-plugin';

export const SYSTEM_CASCADE = '/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml';

export interface DetectorOptions {
  /** The plugin: 'yunet' (default) or 'haar'. */
  kind?: DetectorKind;
  /** Haar only: 'auto' (default) takes native OpenCV when @u4/opencv4nodejs is built, else WASM. */
  haarBackend?: HaarBackendKind | 'auto';
  /** Haar only: the cascade file. */
  cascadePath?: string;
  /** YuNet only: an ONNX file other than the shipped one. */
  yunetModelPath?: string;
  threads?: number;
}

export function nativeDetectorAvailable(): boolean {
  return loadNativeOpenCv() !== null;
}

/** Builds the chosen detector plugin; errors say what is missing and how to get it. */
export async function createFaceDetector(opts: DetectorOptions = {}): Promise<FaceDetector> {
  const kind = opts.kind ?? DEFAULT_DETECTOR;
  if (kind === 'yunet') return YunetFaceDetector.create({ modelPath: opts.yunetModelPath, threads: opts.threads });
  if (kind !== 'haar') throw new Error(`unknown detector "${String(kind)}" (use yunet or haar)`);
  const cascadePath = opts.cascadePath ?? SYSTEM_CASCADE;
  if (!existsSync(cascadePath)) throw new Error(`Haar cascade not found: ${cascadePath}`);
  const backend = opts.haarBackend ?? 'auto';
  if (backend === 'native' || (backend === 'auto' && nativeDetectorAvailable())) {
    if (!nativeDetectorAvailable())
      throw new Error(`Haar backend "native" requested but unavailable: ${nativeUnavailableReason()}`);
    return new HaarFaceDetector(NativeHaarBackend.create(cascadePath, opts.threads));
  }
  return new HaarFaceDetector(await WasmHaarBackend.create(cascadePath));
}
