import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { benchPhotoPath, loadGrayFrame } from '../bench/bench-frame';
import { runBench, type BenchResult } from '../bench/run-bench';
import { positiveInt } from '../eval/progress';
import { createEmotionModel } from '../pipeline/create-pipeline';
import { Presets, SingleBar } from 'cli-progress';

/** Default decode clip: an Intel sample video in the data folder beside the repository (<repo>/../shared/data). */
const DEFAULT_CLIP = resolve(
  __dirname,
  '../../../../shared/data/video/intel_head-pose-face-detection-female-and-male.mp4',
);

interface BenchFlags {
  photo?: string;
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
      'ms per pipeline stage and faces/s on a real multi-face frame at 640x480 and 1280x720: native vs wasm vs C++ OpenCV',
    )
    .option('--photo <file>', 'multi-face photo to benchmark on (default: @vladmandic/face-api demo/sample6.jpg)')
    .option('--clip <file>', 'video whose ffmpeg decode cost is the decode stage', DEFAULT_CLIP)
    .option('--runs <n>', 'timed runs per stage (the median is reported)', '7')
    .option('--threads <n>', 'OpenCV threads for native and C++ (default: all cores)')
    .option('--sizes <list>', 'frame sizes, comma-separated WIDTHxHEIGHT', '640x480,1280x720')
    .option('--no-cpp', 'skip the C++ reference')
    .action(async (flags: BenchFlags) => {
      const photo = flags.photo ?? benchPhotoPath();
      if (!existsSync(photo)) throw new Error(`--photo: no such file ${photo}`);
      if (!existsSync(flags.clip)) throw new Error(`--clip: no such file ${flags.clip} (pass --clip)`);
      const runs = positiveInt(flags.runs, '--runs');
      const resolutions = parseSizes(flags.sizes);
      const model = await createEmotionModel();
      const bar = new SingleBar(
        { format: 'bench [{bar}] {value}/{total} {stage}', stream: process.stderr, hideCursor: true },
        Presets.shades_classic,
      );
      // per size: decode, detect, crop/classify/publish
      bar.start(3 * resolutions.length, 0, { stage: '' });
      try {
        const result = await runBench({
          frame: (w, h) => loadGrayFrame(photo, w, h),
          clip: flags.clip,
          model,
          resolutions,
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

function ms(v: number): string {
  return v.toFixed(1).padStart(8);
}

function formatBench(r: BenchResult): string[] {
  const d = r.detection;
  const lines = [
    `Haar scaleFactor ${d.scaleFactor}, minNeighbors ${d.minNeighbors}, faces ${d.minFacePx}-${d.maxFacePx} px; OpenCV threads ${r.threads}; median of ${r.runs} runs`,
    ...(r.nativeSkipped ? [`native skipped: ${r.nativeSkipped}`] : []),
    ...(r.cppSkipped ? [`C++ reference skipped: ${r.cppSkipped}`] : []),
    `${'frame'.padEnd(10)}${'faces'.padStart(6)}${'decode'.padStart(8)}${'native'.padStart(8)}${'wasm'.padStart(8)}${'C++'.padStart(8)}${'crop'.padStart(8)}${'classify'.padStart(9)}${'publish'.padStart(8)}   faces/s native | wasm`,
  ];
  for (const x of r.resolutions) {
    lines.push(
      `${`${x.width}x${x.height}`.padEnd(10)}${String(x.faces).padStart(6)}${ms(x.decodeMs)}${x.native ? ms(x.native.detectMs) : '       -'}${ms(x.wasm.detectMs)}${x.cpp ? ms(x.cpp.detectMs) : '       -'}${ms(x.cropMs)} ${ms(x.classifyMs)}${ms(x.publishMs)}   ${x.native ? x.native.facesPerSecond.toFixed(1) : '-'} | ${x.wasm.facesPerSecond.toFixed(1)}`,
    );
  }
  const ratio = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(3));
  lines.push(
    `detection throughput ratios at ${r.resolutions.at(-1)!.width}x${r.resolutions.at(-1)!.height}: native/C++ ${ratio(r.nativeOverCpp)}, wasm/native ${ratio(r.wasmOverNative)}`,
  );
  return lines;
}
