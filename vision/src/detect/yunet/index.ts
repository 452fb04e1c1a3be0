export {
  DEFAULT_YUNET,
  YUNET_MODEL_FILE,
  YunetDetector,
  yunetModelPath,
  type FaceDetection,
  type Point,
  type YunetParams,
} from './yunet-detector';
