import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * A looping "lecture hall" clip for demos on machines without a camera: the six group photos that the
 * @vladmandic/face-api npm package ships in its `demo/` folder (package licence: MIT, Copyright (c) Vladimir
 * Mandic), each shown for a few seconds with a slow zoom and a sideways pan so the faces move and the tracker
 * has work to do. Nothing is downloaded and no third-party media is committed: the clip is composed with
 * ffmpeg at first use and cached under the data directory.
 */
export const DEMO_SOURCE = {
  package: '@vladmandic/face-api',
  licence: 'MIT',
  files: ['sample1.jpg', 'sample2.jpg', 'sample3.jpg', 'sample4.jpg', 'sample5.jpg', 'sample6.jpg'],
} as const;

export const DEMO_CLIP = { width: 960, height: 540, fps: 10, secondsPerPhoto: 5 } as const;

export function demoPhotoPaths(): string[] {
  const root = dirname(require.resolve(`${DEMO_SOURCE.package}/package.json`));
  return DEMO_SOURCE.files.map((f) => join(root, 'demo', f));
}

function framesPerPhoto(): number {
  return DEMO_CLIP.secondsPerPhoto * DEMO_CLIP.fps;
}

function filterGraph(n: number): string {
  const frames = framesPerPhoto();
  const { width, height, fps } = DEMO_CLIP;
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    // Each photo is a single input frame that zoompan stretches into a whole shot (d=frames): decoding and
    // scaling the 1920 px JPEG once instead of once per output frame makes the first start ~10x faster.
    // Fit the height, pad to 16:9, zoom in by 12 % over the shot while panning left and right.
    parts.push(
      `[${i}]scale=-2:620,pad=1102:620:(ow-iw)/2:0:0x1b1f27,` +
        `zoompan=z='1.0+0.12*on/${frames}':x='(iw-iw/zoom)*(0.5+0.5*sin(on/20))':y='(ih-ih/zoom)/2':d=${frames}:s=${width}x${height}:fps=${fps},setsar=1[v${i}]`,
    );
  }
  const inputs = Array.from({ length: n }, (_, i) => `[v${i}]`).join('');
  return `${parts.join(';')};${inputs}concat=n=${n}:v=1:a=0,format=yuv420p`;
}

export interface DemoVideoOptions {
  ffmpeg?: string;
  /** Called while composing with the frames written so far and the clip's total. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Returns the path of the cached demo clip under `dataDir`, composing it first when it is missing.
 * The file name carries a hash of the recipe, so a changed recipe composes a new clip.
 */
export async function ensureDemoVideo(dataDir: string, options: DemoVideoOptions = {}): Promise<string> {
  const ffmpeg = options.ffmpeg ?? process.env.LECTERN_FFMPEG ?? 'ffmpeg';
  const photos = demoPhotoPaths();
  for (const p of photos) {
    if (!existsSync(p)) throw new Error(`demo photo ${p} is missing: reinstall ${DEMO_SOURCE.package} (npm install)`);
  }
  const graph = filterGraph(photos.length);
  const recipe = createHash('sha256')
    .update(JSON.stringify({ photos: DEMO_SOURCE.files, graph, clip: DEMO_CLIP }))
    .digest('hex')
    .slice(0, 12);
  const dir = join(dataDir, 'demo');
  const out = join(dir, `lecture-hall-${recipe}.mp4`);
  if (existsSync(out)) return out;
  mkdirSync(dir, { recursive: true });
  const tmp = `${out}.partial.mp4`;
  const total = framesPerPhoto() * photos.length;
  const args = ['-v', 'error', '-nostdin', '-y', '-progress', 'pipe:1'];
  for (const p of photos) args.push('-i', p);
  args.push('-filter_complex', graph, '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '23');
  args.push('-g', String(DEMO_CLIP.fps * 2), '-r', String(DEMO_CLIP.fps), tmp);
  await new Promise<void>((resolve, reject) => {
    const child = spawn(ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      const frames = /frame=(\d+)\s*$/m.exec(d.toString());
      if (frames && options.onProgress) options.onProgress(Math.min(total, Number(frames[1])), total);
    });
    child.on('error', (err) =>
      reject(new Error(`cannot run ${ffmpeg} to compose the demo clip (apt-get install ffmpeg): ${err.message}`)),
    );
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`ffmpeg failed composing the demo clip (exit ${code}): ${stderr.trim().slice(-500)}`)),
    );
  });
  // Rename last: an interrupted first start never leaves a truncated clip that later starts would trust.
  renameSync(tmp, out);
  rmSync(tmp, { force: true });
  return out;
}
