import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { readGrayImage, type GrayImage } from '@lectern/vision';

const run = promisify(execFile);

/**
 * A real multi-face photo shipped in the @vladmandic/face-api npm package (demo/, MIT): a group of people
 * facing the camera, the closest thing to a lecture-hall frame that needs no download.
 */
export function benchPhotoPath(name = 'sample6.jpg'): string {
  return join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', name);
}

/** The crowded frame of the detection development set (lab/devset, >= 50 real faces). */
export function crowdFramePath(): string {
  return join(__dirname, '..', '..', 'devset', 'images', 'crowd-1920x1080.jpg');
}

/**
 * Decodes a photo with ffmpeg into a gray frame of exactly width x height (letterboxed, aspect kept), or at its
 * own size when none is given.
 */
export async function loadGrayFrame(path: string, width?: number, height?: number): Promise<GrayImage> {
  if (width === undefined || height === undefined) return readGrayImage(path);
  const filter = `scale=${width}:${height}:force_original_aspect_ratio=decrease,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2,format=gray`;
  const { stdout } = await run(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-i',
      path,
      '-frames:v',
      '1',
      '-vf',
      filter,
      '-f',
      'rawvideo',
      '-pix_fmt',
      'gray',
      'pipe:1',
    ],
    {
      encoding: 'buffer',
      maxBuffer: width * height + 1024,
    },
  );
  if (stdout.length !== width * height)
    throw new Error(`ffmpeg gave ${stdout.length} bytes for a ${width}x${height} frame of ${path}`);
  return { width, height, data: new Uint8Array(stdout) };
}
