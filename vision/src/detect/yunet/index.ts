export { DEFAULT_YUNET, YUNET_MODEL_FILES, YunetDetector, yunetModelPath, type YunetParams } from './yunet-detector';
