import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fer2013Dir } from '../src/paths';
import { readFerCsv, type FerRow } from '../src/fer-csv';

export const PUBLIC_TEST_CSV = join(fer2013Dir(), 'publictest.csv');
export const TRAIN_CSV_GZ = join(fer2013Dir(), 'train.csv.gz');
export const HAVE_FER = existsSync(PUBLIC_TEST_CSV) && existsSync(TRAIN_CSV_GZ);
export const NO_FER_MESSAGE = `FER2013 not found under ${fer2013Dir()} (expected <repo>/../shared/data/fer2013); skipping`;
if (!HAVE_FER) console.warn(NO_FER_MESSAGE);

export async function readRows(path: string, limit: number): Promise<FerRow[]> {
  const rows: FerRow[] = [];
  for await (const row of readFerCsv(path, { limit })) rows.push(row);
  return rows;
}
