export * from './face-detector';
export * from './create-detector';
export { HaarFaceDetector } from './haar/haar-detector';
export { YunetFaceDetector } from './yunet-plugin';
export { loadOpenCvJs } from './haar/wasm-backend';
export { nativeUnavailableReason } from './haar/native-backend';
