// @lectern/vision: frame -> faces -> tracks -> emotions, shared by the edge agent and the cloud's video analysis.
export * from './image/gray-image';
export { GLYPH_HEIGHT, GLYPH_WIDTH, glyphRows } from './image/bitmap-glyphs';
export * from './detect';
export * from './source';
export * from './track/tracker';
export * from './crop/face-crop';
export * from './pipeline/frame-pipeline';
export * from './pipeline/create-pipeline';
export type { EmotionModel } from './pipeline/emotion-model';
export { analyzeVideo, type AnalyzeVideoOptions, type VideoAnalysis, type VideoSecond } from './analyze/analyze-video';
export { MODEL_INPUT_SIZE, toModelInput } from './classifier/model-input';
export { loadManifest, type ModelManifest, type ModelVariantEntry, type ArtifactEntry } from './classifier/manifest';
export { EmotionClassifier, type EmotionClassifierOptions, type ModelVariant } from './classifier/classifier';
export { LABELS, NUM_CLASSES } from './classifier/labels';
export { artifactPath, ARTIFACTS_DIR, ARTIFACT_FILES, type ArtifactName } from './model-files';
export * from './detect-eval';
