import { join, resolve } from 'node:path';

/** The package root, the same from src/ (tests, tsx) and dist/ (runtime): both sit one level down. */
export const PACKAGE_ROOT = resolve(__dirname, '..');

/** The repository's sibling shared folder, `<repo>/../shared`, unless LECTERN_SHARED_DIR says otherwise. */
export function sharedDir(): string {
  return process.env.LECTERN_SHARED_DIR ?? resolve(PACKAGE_ROOT, '..', '..', 'shared');
}

/** Where FER2013 train.csv.gz and publictest.csv live: `<shared>/data/fer2013`. */
export function fer2013Dir(): string {
  return join(sharedDir(), 'data', 'fer2013');
}
