import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { GrayImage } from '@lectern/vision';
import { NUM_CLASSES } from '@lectern/vision';

export const FER_SIZE = 48;

export interface FerRow {
  /** 1-based line number in the file (the header is line 1). */
  row: number;
  label: number;
  /** The Usage column when present (Training / PublicTest / PrivateTest). */
  usage?: string;
  image: GrayImage;
}

/** A malformed data row; carries the row number so users can find it. */
export class FerCsvRowError extends Error {
  constructor(
    readonly path: string,
    readonly row: number,
    readonly reason: string,
  ) {
    super(`${path}: row ${row}: ${reason}`);
    this.name = 'FerCsvRowError';
  }
}

export interface ReadFerCsvOptions {
  /** Called for each malformed row, which is then skipped. Without it the first bad row throws FerCsvRowError. */
  onInvalidRow?: (error: FerCsvRowError) => void;
  /** Stop after this many valid rows. */
  limit?: number;
  /** Keep only rows whose Usage column equals this value. */
  usage?: string;
}

function parseRow(
  path: string,
  row: number,
  line: string,
  columns: { emotion: number; pixels: number; usage: number },
): FerRow {
  const fields = line.split(',');
  const labelText = (fields[columns.emotion] ?? '').trim();
  const label = Number(labelText);
  if (labelText === '' || !Number.isInteger(label) || label < 0 || label >= NUM_CLASSES) {
    throw new FerCsvRowError(path, row, `label "${labelText}" is not an integer in 0..${NUM_CLASSES - 1}`);
  }
  const pixelText = (fields[columns.pixels] ?? '').trim();
  const values = pixelText === '' ? [] : pixelText.split(/\s+/);
  if (values.length !== FER_SIZE * FER_SIZE) {
    throw new FerCsvRowError(path, row, `expected ${FER_SIZE * FER_SIZE} pixels, found ${values.length}`);
  }
  const data = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]);
    if (!Number.isInteger(v) || v < 0 || v > 255)
      throw new FerCsvRowError(path, row, `pixel ${i} "${values[i]}" is not an integer in 0..255`);
    data[i] = v;
  }
  const usage = columns.usage >= 0 ? fields[columns.usage]?.trim() : undefined;
  return { row, label, ...(usage === undefined ? {} : { usage }), image: { width: FER_SIZE, height: FER_SIZE, data } };
}

/**
 * Streams a FER2013-format CSV (`emotion,pixels[,Usage]`, 48x48 gray pixels separated by spaces).
 * Files ending in .gz are decompressed on the fly.
 */
export async function* readFerCsv(path: string, opts: ReadFerCsvOptions = {}): AsyncGenerator<FerRow> {
  let stream: Readable = createReadStream(path);
  if (path.endsWith('.gz')) stream = stream.pipe(createGunzip());
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNo = 0;
  let columns: { emotion: number; pixels: number; usage: number } | null = null;
  let yielded = 0;
  try {
    for await (const line of lines) {
      lineNo++;
      if (columns === null) {
        const header = line
          .trim()
          .toLowerCase()
          .split(',')
          .map((h) => h.trim());
        columns = {
          emotion: header.indexOf('emotion'),
          pixels: header.indexOf('pixels'),
          usage: header.indexOf('usage'),
        };
        if (columns.emotion < 0 || columns.pixels < 0) {
          throw new Error(
            `${path}: line 1 must be a header with "emotion" and "pixels" columns, got "${line.slice(0, 80)}"`,
          );
        }
        continue;
      }
      if (line.trim() === '') continue;
      let parsed: FerRow;
      try {
        parsed = parseRow(path, lineNo, line, columns);
      } catch (err) {
        if (err instanceof FerCsvRowError && opts.onInvalidRow) {
          opts.onInvalidRow(err);
          continue;
        }
        throw err;
      }
      if (opts.usage !== undefined && parsed.usage !== opts.usage) continue;
      yield parsed;
      if (opts.limit !== undefined && ++yielded >= opts.limit) return;
    }
    if (columns === null) throw new Error(`${path}: the file is empty`);
  } finally {
    lines.close();
    stream.destroy();
  }
}

/** Number of data lines (for progress bars); reads the whole file once. */
export async function countFerRows(path: string): Promise<number> {
  let stream: Readable = createReadStream(path);
  if (path.endsWith('.gz')) stream = stream.pipe(createGunzip());
  let count = 0;
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) if (line.trim() !== '') count++;
  return Math.max(0, count - 1);
}
