import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { GrayImage } from '../image/gray-image';

/**
 * Decodes a JPEG or PNG file to 8-bit gray with BT.601 luma weights, the Y plane ffmpeg hands the agent for a
 * camera frame, so a photo is judged as the agent would see it.
 */
export function readGrayImage(path: string): GrayImage {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read image ${path}: ${(err as Error).message}`);
  }
  const ext = extname(path).toLowerCase();
  let rgba: { width: number; height: number; data: Uint8Array };
  try {
    if (ext === '.png') rgba = PNG.sync.read(bytes);
    else if (ext === '.jpg' || ext === '.jpeg')
      rgba = jpeg.decode(bytes, { useTArray: true, maxMemoryUsageInMB: 1024 });
    else throw new Error('only .jpg, .jpeg and .png images are supported');
  } catch (err) {
    throw new Error(`cannot decode image ${path}: ${(err as Error).message}`);
  }
  const { width, height, data } = rgba;
  const gray = new Uint8Array(width * height);
  for (let i = 0, p = 0; i < gray.length; i++, p += 4)
    gray[i] = Math.round(0.299 * data[p]! + 0.587 * data[p + 1]! + 0.114 * data[p + 2]!);
  return { width, height, data: gray };
}
