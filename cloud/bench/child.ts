import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** A bench helper process (TypeScript through tsx) that talks over IPC. */
export class BenchChild<Job, Report extends { type: string }> {
  private readonly child: ChildProcess;
  private readonly inbox: Report[] = [];
  private wake: (() => void) | null = null;
  private exited: string | null = null;

  constructor(file: string) {
    this.child = fork(join(__dirname, file), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
    this.child.on('message', (m: Report) => {
      this.inbox.push(m);
      this.wake?.();
    });
    this.child.on('exit', (code, signal) => {
      this.exited = `${file} exited (${signal ?? code})`;
      this.wake?.();
    });
  }

  send(message: Job | 'go' | 'stop'): void {
    this.child.send(message as object);
  }

  /** The next report of `type`; an `error` report or an early exit rejects with its reason. */
  async next<T extends Report['type']>(type: T, timeoutMs = 600_000): Promise<Extract<Report, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.inbox.findIndex((m) => m.type === type || m.type === 'error');
      if (i >= 0) {
        const m = this.inbox.splice(i, 1)[0]!;
        if (m.type === 'error') throw new Error((m as unknown as { message: string }).message);
        return m as Extract<Report, { type: T }>;
      }
      if (this.exited) throw new Error(this.exited);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for "${type}" from a bench process`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(t);
          this.wake = null;
          resolve();
        };
      });
    }
  }

  kill(): void {
    if (!this.exited) this.child.kill();
  }
}
