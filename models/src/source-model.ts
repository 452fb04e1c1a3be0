import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SOURCE_PACKAGE = '@vladmandic/human';

export interface SourceModelLocation {
  packageDir: string;
  packageVersion: string;
  modelJson: string;
  weightsBin: string;
}

/** Finds the emotion graph model inside the installed @vladmandic/human package (its exports hide package.json). */
export function locateSourceModel(): SourceModelLocation {
  const candidates = require.resolve.paths(SOURCE_PACKAGE) ?? [];
  for (const base of candidates) {
    const packageDir = join(base, SOURCE_PACKAGE);
    const modelJson = join(packageDir, 'models', 'emotion.json');
    if (existsSync(modelJson)) {
      const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
      return {
        packageDir,
        packageVersion: pkg.version,
        modelJson,
        weightsBin: join(packageDir, 'models', 'emotion.bin'),
      };
    }
  }
  throw new Error(`${SOURCE_PACKAGE} with models/emotion.json is not installed (npm install ${SOURCE_PACKAGE})`);
}
