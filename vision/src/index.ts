// @lectern/vision: frame -> faces -> tracks -> emotions, shared by the edge agent and the cloud's video analysis.
export * from './image/gray-image';
export { GLYPH_HEIGHT, GLYPH_WIDTH, glyphRows } from './image/bitmap-glyphs';
export * from './detect';
export * from './source';
export * from './track/tracker';
export * from './crop/face-crop';
export * from './pipeline/frame-pipeline';
export * from './pipeline/create-pipeline';
export {
  DEFAULT_MIN_READABLE_PX,
  faceSizePx,
  isReadable,
  READABLE_SHARE,
  readableFromPx,
} from './classifier/readable-size';
export { FaceSizeTally, faceSizeCounts, type FaceSizeSummary } from './pipeline/face-size-tally';
export type { EmotionModel } from './pipeline/emotion-model';
export { analyzeVideo, type AnalyzeVideoOptions, type VideoAnalysis, type VideoSecond } from './analyze/analyze-video';
export { MODEL_INPUT_SIZE, SMALL_FACE_SHARPEN, toModelInput } from './classifier/model-input';
export { unsharpMask } from './image/unsharp-mask';
export { separable, type Taps } from './image/separable';
export { loadManifest, type ModelManifest, type ModelVariantEntry, type ArtifactEntry } from './classifier/manifest';
export {
  EmotionClassifier,
  emotionModelId,
  type EmotionClassifierOptions,
  type ModelVariant,
} from './classifier/classifier';
export { LABELS, NUM_CLASSES } from './classifier/labels';
export { artifactPath, ARTIFACTS_DIR, ARTIFACT_FILES, type ArtifactName } from './model-files';
export * from './detect-eval';
export { emotionCrop, type EmotionCropSettings } from './crop/emotion-crop';
export { alignFace, alignOrCropFace, cropFerFrame } from './crop/align-face';
export { ferFrameFromBox, FER_LANDMARKS } from './crop/face-framing';
