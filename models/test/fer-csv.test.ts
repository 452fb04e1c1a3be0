import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { countFerRows, FerCsvRowError, readFerCsv, type FerRow } from '../src/fer-csv';
import { HAVE_FER, PUBLIC_TEST_CSV, TRAIN_CSV_GZ } from './helpers';

const tmp = mkdtempSync(join(tmpdir(), 'lectern-fer-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const pixels = (n: number, v = 7): string => new Array<string>(n).fill(String(v)).join(' ');

function writeCsv(name: string, lines: string[]): string {
  const path = join(tmp, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

async function collect(path: string, onInvalidRow?: (e: FerCsvRowError) => void): Promise<FerRow[]> {
  const rows: FerRow[] = [];
  for await (const r of readFerCsv(path, onInvalidRow ? { onInvalidRow } : {})) rows.push(r);
  return rows;
}

describe('readFerCsv', () => {
  const mixed = [
    'emotion,pixels,Usage',
    `3,${pixels(2304)},PublicTest`,
    `9,${pixels(2304)},PublicTest`, // line 3: label out of range
    `0,${pixels(2303)},PublicTest`, // line 4: one pixel short
    `6,${pixels(2304, 255)},PublicTest`,
    `x,${pixels(2304)},PublicTest`, // line 6: not a number
    `2,${pixels(2303)} 300,PublicTest`, // line 7: pixel out of range
  ];

  it('reports malformed rows by row number and keeps every valid row', async () => {
    const bad: FerCsvRowError[] = [];
    const rows = await collect(writeCsv('mixed.csv', mixed), (e) => bad.push(e));
    expect(rows.map((r) => [r.row, r.label])).toEqual([
      [2, 3],
      [5, 6],
    ]);
    expect(rows[1]?.image.data.every((v) => v === 255)).toBe(true);
    expect(rows[0]?.usage).toBe('PublicTest');
    expect(bad.map((e) => e.row)).toEqual([3, 4, 6, 7]);
    expect(bad[0]?.message).toMatch(/row 3: label "9" is not an integer in 0\.\.6/);
    expect(bad[1]?.message).toMatch(/row 4: expected 2304 pixels, found 2303/);
    expect(bad[3]?.message).toMatch(/row 7: pixel 2303 "300"/);
  });

  it('throws a FerCsvRowError naming the row when no handler is given', async () => {
    await expect(collect(writeCsv('strict.csv', mixed))).rejects.toThrow(/strict\.csv: row 3: label "9"/);
  });

  it('reads gzip-compressed files and rejects a file without a header', async () => {
    const gz = join(tmp, 'small.csv.gz');
    writeFileSync(gz, gzipSync(`emotion,pixels\n4,${pixels(2304, 1)}\n`));
    const rows = await collect(gz);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.image).toMatchObject({ width: 48, height: 48 });
    expect(await countFerRows(gz)).toBe(1);
    await expect(collect(writeCsv('noheader.csv', [`4,${pixels(2304)}`]))).rejects.toThrow(/header/);
  });

  it.skipIf(!HAVE_FER)('reads the real PublicTest and the gzipped training set', async () => {
    expect(await countFerRows(PUBLIC_TEST_CSV)).toBe(3589);
    const first = [];
    for await (const r of readFerCsv(TRAIN_CSV_GZ, { limit: 5 })) first.push(r);
    expect(first).toHaveLength(5);
    expect(first.every((r) => r.usage === 'Training' && r.image.data.length === 2304)).toBe(true);
  });
});
