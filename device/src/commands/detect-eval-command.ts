import type { Command } from 'commander';
import {
  createDetector,
  DETECTOR_KINDS,
  evaluateDetection,
  readLabelFile,
  SIZE_BANDS,
  type DetectionEvalResult,
  type DetectorKind,
} from '@lectern/vision';
import { loadAgentConfig, parseAgentConfig } from '../config/agent-config';

interface Flags {
  labels: string;
  detector?: string;
  iou: string;
  shrink: string;
  config?: string;
  threads?: string;
  json?: boolean;
}

function number(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`${flag} must be a number, got "${value}"`);
  return n;
}

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

function table(r: DetectionEvalResult): string {
  const rows = [
    `detector ${r.detector}: ${r.images} images, ${r.faces} faces, IoU >= ${r.iou}${r.shrink !== 1 ? `, shrunk to ${Math.round(r.shrink * 100)} %` : ''}`,
    'band (px)   faces  found  recall   detections  precision',
    ...SIZE_BANDS.map((b) => {
      const f = r.bands[b.name];
      return `${b.name.padEnd(10)} ${String(f.faces).padStart(6)} ${String(f.found).padStart(6)}  ${pct(f.recall).padStart(7)}  ${String(f.detections).padStart(10)}  ${pct(f.precision).padStart(9)}`;
    }),
    `all        ${String(r.faces).padStart(6)} ${String(Math.round(r.recall * r.faces)).padStart(6)}  ${pct(r.recall).padStart(7)}  ${String(r.detections).padStart(10)}  ${pct(r.precision).padStart(9)}`,
    `AP@${r.iou} ${r.ap.toFixed(3)}, ${r.msPerImage.toFixed(1)} ms per image`,
  ];
  return rows.join('\n');
}

export function registerDetectEval(program: Command): void {
  program
    .command('detect-eval')
    .description(
      'score the agent\'s face detection on labelled photos (WIDER FACE style: "# image" lines, then "x y w h" per face)',
    )
    .requiredOption('--labels <file>', 'label file; images are relative to it (png, jpg)')
    .option('--detector <kind>', `detector plugin: ${DETECTOR_KINDS.join(' | ')} (default: the config's, else yunet)`)
    .option('--iou <x>', 'IoU a detection needs to count as finding a face', '0.3')
    .option('--shrink <f>', 'scale each photo by f (0-1] onto a canvas of its own size: smaller faces, same frame', '1')
    .option('--config <file>', "device.yaml whose detection settings to use (default: the agent's defaults)")
    .option('--threads <n>', 'ONNX Runtime / OpenCV threads')
    .option('--json', 'print the table, then one JSON line with every figure')
    .action(async (flags: Flags) => {
      // Without --config: the agent's defaults (the schema needs an identity, a broker and a source; unused here).
      const config = flags.config
        ? loadAgentConfig(flags.config)
        : parseAgentConfig({
            deviceId: 'eval',
            roomId: 'eval',
            broker: { url: 'mqtt://127.0.0.1' },
            source: { type: 'file', path: '-' },
          });
      if (flags.detector !== undefined && !(DETECTOR_KINDS as readonly string[]).includes(flags.detector))
        throw new Error(`--detector must be one of ${DETECTOR_KINDS.join(', ')}, got "${flags.detector}"`);
      const kind = (flags.detector as DetectorKind | undefined) ?? config.detector;
      const labels = readLabelFile(flags.labels);
      const threads = flags.threads === undefined ? config.threads : number('--threads', flags.threads);
      const detector = await createDetector({ detector: kind, haarBackend: config.haarBackend, threads });
      const { hz: _hz, ...params } = config.detection;
      try {
        const result = await evaluateDetection(labels, {
          detector: detector.name,
          detect: (img) => detector.detect(img, params),
          iou: number('--iou', flags.iou),
          shrink: number('--shrink', flags.shrink),
          onImage: (done, total) => process.stderr.write(`\rdetect-eval: ${done}/${total} images`),
        });
        process.stderr.write('\n');
        console.log(table(result));
        if (flags.json) console.log(JSON.stringify(result));
      } finally {
        detector.dispose();
      }
    });
}
