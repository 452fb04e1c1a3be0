import { fork } from 'node:child_process';
import { extname, join } from 'node:path';
import type { VideoAnalysis } from '@lectern/vision';

/**
 * Runs analyze-worker in a child process; abort kills it. Resolves with the raw analysis result, which
 * covers at most `limits.maxDurationS` seconds of video (`truncated` when the video went on).
 */
export function runAnalysis(
  path: string,
  onProgress: (fraction: number) => void,
  signal: AbortSignal,
  limits: { maxDurationS: number },
): Promise<VideoAnalysis> {
  const ext = extname(__filename);
  const worker = join(__dirname, `analyze-worker${ext}`);
  // From src/ (tests, tsx) the worker is TypeScript: load it through tsx with the `source` condition.
  const execArgv = ext === '.ts' ? ['--import', 'tsx', '--conditions=source'] : [];
  return new Promise((resolve, reject) => {
    const child = fork(worker, [], { execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
    let settled = false;
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString('utf8')).slice(-2000);
    });
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = (): void => {
      child.kill('SIGKILL');
      finish(() => reject(new Error('cancelled')));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort);
    child.on('message', (m: { type: string; fraction?: number; result?: VideoAnalysis; message?: string }) => {
      if (m.type === 'progress' && typeof m.fraction === 'number') onProgress(m.fraction);
      else if (m.type === 'result' && m.result) {
        const result = m.result;
        finish(() => resolve(result));
      } else if (m.type === 'error') finish(() => reject(new Error(m.message ?? 'analysis failed')));
    });
    child.on('error', (err) => finish(() => reject(err)));
    child.on('exit', (code, sig) => {
      const tail = stderr.trim().split('\n').slice(-3).join(' | ');
      finish(() => reject(new Error(`analysis worker exited (${sig ?? code})${tail ? `: ${tail}` : ''}`)));
    });
    child.send({ path, maxDurationS: limits.maxDurationS });
  });
}
