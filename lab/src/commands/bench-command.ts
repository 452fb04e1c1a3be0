import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { benchPhotoPath, crowdFramePath, loadGrayFrame } from '../bench/bench-frame';
import { runBench, type BenchFrame, type BenchResult } from '../bench/run-bench';
import { positiveInt } from '../eval/progress';
import { createEmotionModel } from '@lectern/vision';
import { Presets, SingleBar } from 'cli-progress';

/** Default decode clip: an Intel sample video in the data folder beside the repository (<repo>/../shared/data). */
const DEFAULT_CLIP = resolve(
  __dirname,
  '../../../../shared/data/video/intel_head-pose-face-detection-female-and-male.mp4',
);

interface BenchFlags {
  photo?: string;
  crowd?: string;
  clip: string;
  runs: string;
  threads?: string;
  cpp: boolean;
  sizes: string;
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description(
      'ms per pipeline stage on real frames (a group photo at 1280x720 and 1920x1080, a crowded frame): YuNet vs Haar native vs Haar WASM vs C++ Haar',
    )
    .option('--photo <file>', 'group photo to benchmark on (default: @vladmandic/face-api demo/sample6.jpg)')
    .option('--crowd <file>', 'a crowded frame (>= 50 faces), used at its own size (default: lab/devset crowd frame)')
    .option('--clip <file>', 'video whose ffmpeg decode cost is the decode stage', DEFAULT_CLIP)
    .option('--runs <n>', 'timed runs per stage (the median is reported)', '7')
    .option('--threads <n>', 'OpenCV threads for native and C++ (default: all cores)')
    .option('--sizes <list>', 'group photo frame sizes, comma-separated WIDTHxHEIGHT', '1280x720,1920x1080')
    .option('--no-cpp', 'skip the C++ reference')
    .action(async (flags: BenchFlags) => {
      const photo = flags.photo ?? benchPhotoPath();
      if (!existsSync(photo)) throw new Error(`--photo: no such file ${photo}`);
      const crowd = flags.crowd ?? crowdFramePath();
      if (!existsSync(crowd)) throw new Error(`--crowd: no such file ${crowd}`);
      if (!existsSync(flags.clip)) throw new Error(`--clip: no such file ${flags.clip} (pass --clip)`);
      const runs = positiveInt(flags.runs, '--runs');
      const resolutions = parseSizes(flags.sizes);
      const model = await createEmotionModel();
      const bar = new SingleBar(
        { format: 'bench [{bar}] {value}/{total} {stage}', stream: process.stderr, hideCursor: true },
        Presets.shades_classic,
      );
      const frames: BenchFrame[] = [];
      for (const [w, h] of resolutions)
        frames.push({ name: `group ${w}x${h}`, image: await loadGrayFrame(photo, w, h) });
      frames.push({ name: 'crowd', image: await loadGrayFrame(crowd) });
      // per frame: decode, detect, crop/classify/publish
      bar.start(3 * frames.length, 0, { stage: '' });
      try {
        const result = await runBench({
          frames,
          clip: flags.clip,
          model,
          runs,
          threads: flags.threads === undefined ? undefined : positiveInt(flags.threads, '--threads'),
          withCpp: flags.cpp,
          log: (stage) => bar.increment(1, { stage }),
        }).finally(() => bar.stop());
        for (const line of formatBench(result)) console.log(line);
        console.log(JSON.stringify(result));
      } finally {
        await model.close();
      }
    });
}

function parseSizes(text: string): [number, number][] {
  return text.split(',').map((size) => {
    const m = /^(\d+)x(\d+)$/.exec(size.trim());
    const w = Number(m?.[1]);
    const h = Number(m?.[2]);
    if (!m || w < 64 || h < 64 || w > 7680 || h > 4320)
      throw new Error(`--sizes: "${size}" is not WIDTHxHEIGHT between 64x64 and 7680x4320`);
    return [w, h];
  });
}

function ms(v: number | undefined): string {
  return v === undefined ? '       -' : v.toFixed(1).padStart(8);
}

function formatBench(r: BenchResult): string[] {
  const d = r.detection;
  const lines = [
    `YuNet score >= ${d.scoreThreshold}; Haar scaleFactor ${d.scaleFactor}, minNeighbors ${d.minNeighbors}; faces ${d.minFacePx}-${d.maxFacePx} px; threads ${r.threads}; median of ${r.runs} runs`,
    ...(r.nativeSkipped ? [`native skipped: ${r.nativeSkipped}`] : []),
    ...(r.cppSkipped ? [`C++ reference skipped: ${r.cppSkipped}`] : []),
    `${'frame'.padEnd(22)}${'decode'.padStart(8)}${'YuNet'.padStart(8)}${'native'.padStart(8)}${'wasm'.padStart(8)}${'C++'.padStart(8)}${'crop'.padStart(8)}${'classify'.padStart(9)}${'publish'.padStart(8)}   faces YuNet | Haar native | wasm | C++   Haar/YuNet time`,
  ];
  for (const x of r.frames) {
    lines.push(
      `${`${x.name} (${x.width}x${x.height})`.padEnd(22)}${ms(x.decodeMs)}${ms(x.yunet.detectMs)}${ms(x.native?.detectMs)}${ms(x.wasm.detectMs)}${ms(x.cpp?.detectMs)}${ms(x.cropMs)} ${ms(x.classifyMs)}${ms(x.publishMs)}   ${x.yunet.faces} | ${x.native?.faces ?? '-'} | ${x.wasm.faces} | ${x.cpp?.faces ?? '-'}   ${x.haarOverYunetTime.toFixed(2)}`,
    );
  }
  const ratio = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(3));
  lines.push(
    `${r.frames[0]!.name}: Haar/YuNet time ${r.haarOverYunetTime.toFixed(2)}, native/C++ throughput ${ratio(r.nativeOverCpp)}, wasm/native ${ratio(r.wasmOverNative)}; crowded frame: YuNet ${r.yunetFacesFound} faces, Haar ${r.haarFacesFound}`,
  );
  return lines;
}
