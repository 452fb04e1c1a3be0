import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const deviceRoot = resolve(__dirname, '../..');

/**
 * Runs a package's CLI (`lectern-device` by default, or the one in `root`, e.g. lab's `lectern-lab`) from source
 * in a real child process (so it can be kill -9'ed).
 */
export function spawnCli(args: string[], root = deviceRoot): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return Object.assign(child, { output: () => out });
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((r) => child.once('exit', (code) => r(code)));
}
