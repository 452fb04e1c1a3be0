export { DEFAULT_YUNET, YUNET_MODEL_FILE, YunetDetector, yunetModelPath, type YunetParams } from './yunet-detector';
