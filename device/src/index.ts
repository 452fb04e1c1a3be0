export * from './simulate';
export * from './link/availability';
export { analyzeVideo, type AnalyzeVideoOptions, type VideoAnalysis, type VideoSecond } from './analyze/analyze-video';
export * from './detect';
export * from './source';
export * from './image/gray-image';
export * from './track/tracker';
export * from './pipeline/frame-pipeline';
export * from './pipeline/face-crop';
export * from './pipeline/create-pipeline';
export type { EmotionModel } from './pipeline/emotion-model';
export { Agent, SOFTWARE_VERSION, type AgentLogger } from './agent/agent';
export {
  agentConfigSchema,
  loadAgentConfig,
  parseAgentConfig,
  type AgentConfig,
  type AgentConfigInput,
} from './config/agent-config';
export { Outbox, DEFAULT_OUTBOX_LIMITS, type OutboxLimits } from './outbox/outbox';
export { MqttLink, type LinkOptions } from './link/mqtt-link';
export { ModelStore } from './agent/model-store';
export { PreviewServer } from './preview/preview-server';
export { sweepCropMargins, DEFAULT_MARGINS, type MarginSweep, type MarginSweepOptions } from './margin/margin-sweep';
export { ensureDemoVideo, demoPhotoPaths, DEMO_SOURCE, DEMO_CLIP, type DemoVideoOptions } from './demo/demo-audience';
export {
  demoDeviceConfig,
  demoSource,
  writeDeviceYaml,
  type DemoDeviceConfigInput,
  type DemoSource,
} from './demo/demo-device-config';
export {
  evaluateAudience,
  EVAL_DETECTION,
  type AudienceEvalOptions,
  type AudienceEvalResult,
} from './eval/evaluate-audience';
export { composeScene, DEFAULT_SCENE, type AudienceScene, type SceneLayout } from './eval/audience-scene';
export {
  runBench,
  DEFAULT_RESOLUTIONS,
  type BenchOptions,
  type BenchResult,
  type ResolutionResult,
} from './bench/run-bench';
