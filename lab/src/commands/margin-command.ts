import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { countFerRows } from '@lectern/models';
import { EMOTIONS } from '@lectern/protocol';
import { DEFAULT_MARGINS, sweepCropMargins } from '../margin/margin-sweep';
import { sweepVideoMargins } from '../margin/video-margin';
import { DETECTOR_FLAG_HELP, detectorFlag } from '../eval/progress';

interface MarginFlags {
  csv?: string;
  video?: string;
  expect: string;
  limit?: string;
  usage?: string;
  margins?: string;
  detector: string;
  json?: boolean;
}

export function registerMargins(program: Command): void {
  program
    .command('margins')
    .description('measure which face crop margin maximises emotion accuracy on FER2013 faces rendered into frames')
    .option('--csv <file>', 'FER2013-format CSV (emotion,pixels[,Usage]), .csv or .csv.gz')
    .option('--video <file>', 'instead of --csv: a clip whose faces all show one expression (see --expect)')
    .option('--expect <emotion>', 'the expression shown in --video', 'happy')
    .option('--limit <n>', 'only the first N faces')
    .option('--usage <name>', 'only rows with this Usage value (e.g. PublicTest)')
    .option('--margins <list>', 'comma-separated margins', DEFAULT_MARGINS.join(','))
    .option('--detector <kind>', DETECTOR_FLAG_HELP, 'haar')
    .option('--json', 'print one JSON object')
    .action(async (flags: MarginFlags) => {
      const margins = flags.margins!.split(',').map((m) => {
        const v = Number(m);
        if (!Number.isFinite(v) || v < -0.3 || v > 1) throw new Error(`--margins: "${m}" is not a number in [-0.3, 1]`);
        return v;
      });
      const limit = flags.limit === undefined ? undefined : Number(flags.limit);
      if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
        throw new Error(`--limit must be a positive integer, got "${flags.limit}"`);
      const detector = detectorFlag(flags.detector);
      if (flags.video) return videoSweep(flags.video, flags.expect, margins, flags.json === true);
      if (!flags.csv) throw new Error('give --csv FILE or --video FILE');
      const total = Math.min(limit ?? Infinity, await countFerRows(flags.csv));
      const bar = new SingleBar(
        { format: 'margins [{bar}] {percentage}% {value}/{total} faces eta {eta}s', stream: process.stderr },
        Presets.shades_classic,
      );
      bar.start(total, 0);
      const started = performance.now();
      const r = await sweepCropMargins({
        csv: flags.csv,
        margins,
        limit,
        usage: flags.usage,
        ...detector,
        onProgress: (done) => bar.update(done),
      }).finally(() => bar.stop());
      const seconds = (performance.now() - started) / 1000;
      if (flags.json) {
        console.log(JSON.stringify({ ...r, seconds: Math.round(seconds) }));
        return;
      }
      console.log(
        `faces ${r.faces}, detected ${r.detected} (recall ${(r.recall * 100).toFixed(1)}%), Haar box / FER image side ${r.boxToImage.toFixed(3)}`,
      );
      console.log(
        `tight (original FER framing) accuracy on the detected faces: ${(r.tightAccuracy * 100).toFixed(2)}%`,
      );
      for (const m of r.margins)
        console.log(
          `margin ${m.margin.toFixed(2)}: ${(m.accuracy * 100).toFixed(2)}%${m === r.best ? '  <- best' : ''}`,
        );
      console.log(`${seconds.toFixed(0)} s`);
    });
}

async function videoSweep(path: string, expect: string, margins: number[], json: boolean): Promise<void> {
  const emotion = EMOTIONS.find((e) => e === expect);
  if (!emotion) throw new Error(`--expect must be one of ${EMOTIONS.join(', ')}, got "${expect}"`);
  const r = await sweepVideoMargins(path, emotion, margins);
  if (json) {
    console.log(JSON.stringify(r));
    return;
  }
  console.log(`${r.faces} detected faces in ${path}`);
  for (const m of r.results)
    console.log(
      `margin ${m.margin.toFixed(2)}: ${emotion} top-1 ${(m.hitRate * 100).toFixed(1)}%, mean p(${emotion}) ${m.meanP.toFixed(3)}`,
    );
}
