import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/paths';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI from source (tsx), resolving workspace packages to their sources as the tests do. */
export function runCli(args: string[], timeoutMs = 120_000): CliResult {
  const r = spawnSync(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', join(PACKAGE_ROOT, 'src', 'cli.ts'), ...args],
    {
      cwd: PACKAGE_ROOT,
      encoding: 'utf8',
      timeout: timeoutMs,
    },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
