// @lectern/lab: research and demo tools. Nothing at runtime imports this package.
export * from './simulate';
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
export { runBench, type BenchFrame, type BenchOptions, type BenchResult, type FrameBench } from './bench/run-bench';
