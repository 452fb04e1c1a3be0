import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * A looping "lecture hall" clip for demos on machines without a camera: the six group photos that the
 * @vladmandic/face-api npm package ships (MIT) as its demo samples, each shown for a few seconds with a slow
 * zoom and a sideways pan so the faces move and the tracker has work to do. Nothing is downloaded and no
 * third-party media is committed: the clip is composed with ffmpeg at first use and cached.
 */
export const DEMO_SOURCE = {
  package: '@vladmandic/face-api',
  licence: 'MIT',
  files: ['sample1.jpg', 'sample2.jpg', 'sample3.jpg', 'sample4.jpg', 'sample5.jpg', 'sample6.jpg'],
} as const;

const WIDTH = 960;
const HEIGHT = 540;
const FPS = 12;
const SECONDS_PER_PHOTO = 5;

export function demoPhotoPaths(): string[] {
  const root = dirname(require.resolve(`${DEMO_SOURCE.package}/package.json`));
  return DEMO_SOURCE.files.map((f) => join(root, 'demo', f));
}

function filterGraph(n: number): string {
  const frames = SECONDS_PER_PHOTO * FPS;
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    // Fit the photo's height, pad to 16:9, then zoom in by 12 % over the shot while panning left and right.
    parts.push(
      `[${i}]scale=-2:620,pad=1102:620:(ow-iw)/2:0:0x1b1f27,` +
        `zoompan=z='1.0+0.12*on/${frames}':x='(iw-iw/zoom)*(0.5+0.5*sin(on/20))':y='(ih-ih/zoom)/2':d=1:s=${WIDTH}x${HEIGHT}:fps=${FPS},setsar=1[v${i}]`,
    );
  }
  const inputs = Array.from({ length: n }, (_, i) => `[v${i}]`).join('');
  return `${parts.join(';')};${inputs}concat=n=${n}:v=1:a=0,format=yuv420p`;
}

/**
 * Returns the path of the cached demo clip under `dataDir`, composing it first when it is missing.
 * The file name carries a hash of the recipe, so a changed recipe composes a new clip.
 */
export async function ensureDemoVideo(dataDir: string, ffmpeg = process.env.LECTERN_FFMPEG ?? 'ffmpeg'): Promise<string> {
  const photos = demoPhotoPaths();
  const recipe = createHash('sha256').update(JSON.stringify({ photos: DEMO_SOURCE.files, g: filterGraph(photos.length), WIDTH, HEIGHT, FPS })).digest('hex').slice(0, 12);
  const dir = join(dataDir, 'demo');
  const out = join(dir, `lecture-hall-${recipe}.mp4`);
  if (existsSync(out)) return out;
  mkdirSync(dir, { recursive: true });
  const tmp = `${out}.partial.mp4`;
  const args = ['-v', 'error', '-y'];
  for (const p of photos) args.push('-loop', '1', '-framerate', String(FPS), '-t', String(SECONDS_PER_PHOTO), '-i', p);
  args.push('-filter_complex', filterGraph(photos.length), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-r', String(FPS), tmp);
  await new Promise<void>((resolve, reject) => {
    const child = spawn(ffmpeg, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => reject(new Error(`cannot run ${ffmpeg} to compose the demo clip (apt-get install ffmpeg): ${err.message}`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg failed composing the demo clip (exit ${code}): ${stderr.trim().slice(-500)}`))));
  });
  // Rename last: an interrupted first start never leaves a truncated clip that later starts would trust.
  renameSync(tmp, out);
  rmSync(tmp, { force: true });
  return out;
}
