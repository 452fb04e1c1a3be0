import type { Command } from 'commander';
import { createDetector, FaceSizeTally, FfmpegSource, FramePipeline, type FaceDetector } from '@lectern/vision';
import { aimReport, formatAimReport, type AimReport } from '../aim/aim-report';
import { loadAgentConfig, type AgentConfig } from '../config/agent-config';

/** Detection passes per second when the config says 'auto': plenty for a histogram, light on a Pi. */
const AUTO_HZ = 2;

interface Flags {
  config: string;
  seconds: string;
  json?: boolean;
}

export interface AimCheckResult extends AimReport {
  seconds: number;
  frames: number;
  detector: string;
  /** Live tracks at the end: listeners, and how many of them are too small to read. */
  tracked: { faces: number; tooSmall: number };
  /** The camera/source state at the end, with its error when it never delivered a frame. */
  source: { state: string; error?: string };
}

/**
 * Opens the configured source and runs the detector and the readable-size gate (never the emotion model) for
 * `seconds`, collecting the size of every face found. Frames stay in memory, as in the agent.
 */
export async function aimCheck(
  config: AgentConfig,
  seconds: number,
  onProgress: (elapsedS: number, faces: number) => void = () => undefined,
): Promise<AimCheckResult> {
  const detector: FaceDetector = await createDetector({
    detector: config.detector,
    haarBackend: config.haarBackend,
    threads: config.threads,
  });
  const { hz, ...detection } = config.detection;
  const pipeline = new FramePipeline(detector, null, {
    detection,
    emotionEnabled: false,
    smoothingAlpha: config.emotion.smoothingAlpha,
    cropMargin: config.emotion.cropMargin,
    align: config.emotion.align,
    minReadablePx: config.emotion.minReadablePx,
  });
  const source = new FfmpegSource({ spec: config.source, fps: hz === 'auto' ? AUTO_HZ : hz, width: config.frameWidth });
  const tally = new FaceSizeTally(config.emotion.minReadablePx);
  const started = Date.now();
  // Read while the source is open: closing it at the end would always read 'ended'.
  let health = source.health();
  const ticker = setInterval(() => {
    health = source.health();
    onProgress((Date.now() - started) / 1000, tally.summary().total);
  }, 1000);
  // A camera that never answers must not hold the check open: the source is closed when time is up.
  const timer = setTimeout(() => {
    clearInterval(ticker);
    health = source.health();
    void source.close();
  }, seconds * 1000);
  let frames = 0;
  let last = started;
  try {
    for await (const frame of source.frames()) {
      const r = await pipeline.process(frame.image, frame.capturedAt);
      tally.add(r.sizesPx);
      frames++;
      last = frame.capturedAt;
      health = source.health();
      if (Date.now() - started >= seconds * 1000) break;
    }
  } finally {
    clearTimeout(timer);
    clearInterval(ticker);
    await source.close();
    detector.dispose();
  }
  const room = pipeline.roomState(last);
  return {
    ...aimReport(tally.summary(), config),
    seconds: Math.round((Date.now() - started) / 100) / 10,
    frames,
    detector: detector.name,
    tracked: { faces: room.faces, tooSmall: room.reading.tooSmall },
    source: { state: health.state, ...(frames === 0 && health.error ? { error: health.error } : {}) },
  };
}

export function registerAimCheck(program: Command): void {
  program
    .command('aim-check')
    .description(
      "check the camera's aim: detect faces for a while and show how many are large enough for the emotion model to read",
    )
    .requiredOption('--config <file>', 'device.yaml (its source, frameWidth, detection and emotion.minReadablePx)')
    .option('--seconds <n>', 'how long to watch', '20')
    .option('--json', 'print one JSON object instead of the table')
    .action(async (flags: Flags) => {
      const seconds = Number(flags.seconds);
      if (!(seconds > 0 && seconds <= 3600)) throw new Error(`--seconds must be in (0, 3600], got "${flags.seconds}"`);
      const config = loadAgentConfig(flags.config);
      const progress = (elapsed: number, faces: number): void => {
        process.stderr.write(`\raim-check: ${Math.min(seconds, Math.round(elapsed))}/${seconds} s, ${faces} faces`);
      };
      const result = await aimCheck(config, seconds, progress);
      process.stderr.write('\n');
      if (flags.json) {
        console.log(JSON.stringify(result));
        return;
      }
      console.log(
        `${result.frames} frames in ${result.seconds} s (${result.detector}); tracked now: ${result.tracked.faces} listeners, ${result.tracked.tooSmall} too small to read`,
      );
      if (result.frames === 0)
        console.log(`source ${result.source.state}${result.source.error ? `: ${result.source.error}` : ''}`);
      console.log(formatAimReport(result));
    });
}
