import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Box } from '../image/gray-image';

export interface LabelledImage {
  /** Absolute path of the image. */
  path: string;
  /** The image as named in the label file. */
  name: string;
  faces: Box[];
}

/**
 * Reads a WIDER-FACE-style label file: a line `# relative/path.jpg` starts an image (path relative to the label
 * file), then one `x y w h` line per face (pixels; extra columns, as WIDER FACE's blur/pose flags, are ignored).
 * Blank lines are skipped. Errors name the line so a person can fix the file.
 */
export function readLabelFile(file: string): LabelledImage[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read label file ${file}: ${(err as Error).message}`);
  }
  const base = dirname(resolve(file));
  const images: LabelledImage[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    if (line.startsWith('#')) {
      const name = line.slice(1).trim();
      if (!name) throw new Error(`${file}:${i + 1}: "#" must be followed by an image path`);
      images.push({ name, path: resolve(base, name), faces: [] });
      return;
    }
    const current = images.at(-1);
    if (!current) throw new Error(`${file}:${i + 1}: a face box before the first "# image" line`);
    const nums = line.split(/\s+/).map(Number);
    const [x, y, width, height] = nums;
    if (nums.length < 4 || [x, y, width, height].some((v) => v === undefined || !Number.isFinite(v)))
      throw new Error(`${file}:${i + 1}: expected "x y w h" (numbers), got "${line}"`);
    if (width! <= 0 || height! <= 0) throw new Error(`${file}:${i + 1}: a face box needs a positive width and height`);
    current.faces.push({ x: x!, y: y!, width: width!, height: height! });
  });
  if (images.length === 0) throw new Error(`${file} has no "# image" lines`);
  return images;
}
