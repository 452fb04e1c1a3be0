export { readLabelFile, type LabelledImage } from './label-file';
export { readGrayImage } from './image-file';
export {
  SIZE_BANDS,
  bandOf,
  faceSide,
  matchImage,
  averagePrecision,
  type BandName,
  type ScoredBox,
} from './detection-metrics';
export {
  evaluateDetection,
  shrinkOntoCanvas,
  type BandFigures,
  type DetectionEvalOptions,
  type DetectionEvalResult,
} from './evaluate-detection';
