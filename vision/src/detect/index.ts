export * from './face-detector';
export * from './create-detector';
export { HaarFaceDetector } from './haar/haar-detector';
export { YunetFaceDetector } from './yunet-plugin';
export { yunetModelPath, YUNET_MODEL_FILES, DEFAULT_YUNET } from './yunet';
export { loadOpenCvJs } from './haar/wasm-backend';
export { nativeUnavailableReason } from './haar/native-backend';
