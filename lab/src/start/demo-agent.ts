import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';

export interface DemoAgentProcessOptions {
  configPath: string;
  /** One line of the agent's own output, or a supervisor message. */
  log: (line: string) => void;
  /** Grace period between SIGTERM and SIGKILL of the agent's process group. */
  stopTimeoutMs?: number;
}

/** `lectern-device`'s CLI inside the installed @lectern/device package. */
export function deviceCliPath(): string {
  return join(dirname(require.resolve('@lectern/device')), 'cli.js');
}

/** Sends `signal` to every process of the group led by `pid` (the agent and its ffmpeg); false when none is left. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs one real `lectern-device run --config <yaml>` as a child process, like systemd would on a board: in its
 * own process group (so its ffmpeg can be stopped with it), restarted with backoff when it exits on its own
 * (the cloud's `restart` command exits the agent on purpose), stopped with SIGTERM then SIGKILL.
 */
export class DemoAgentProcess {
  private child: ChildProcess | null = null;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private backoffMs = 1_000;
  /** Process groups of agents that have not exited yet. */
  private readonly groups = new Set<number>();
  restarts = 0;

  constructor(private readonly options: DemoAgentProcessOptions) {}

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  start(): void {
    if (this.stopping) return;
    const startedAt = Date.now();
    const child = spawn(
      process.execPath,
      ['--require', join(__dirname, 'parent-guard.js'), deviceCliPath(), 'run', '--config', this.options.configPath],
      {
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, LECTERN_PARENT_PID: String(process.pid) },
      },
    );
    this.child = child;
    if (child.pid) this.groups.add(child.pid);
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => this.options.log(line));
    }
    child.on('error', (err) => this.options.log(`cannot start the demo agent: ${err.message}`));
    child.on('exit', (code, signal) => {
      // Whatever the agent left behind in its group (a stuck ffmpeg) goes with it.
      if (child.pid) {
        signalGroup(child.pid, 'SIGKILL');
        this.groups.delete(child.pid);
      }
      if (this.child === child) this.child = null;
      if (this.stopping) return;
      if (Date.now() - startedAt > 60_000) this.backoffMs = 1_000;
      this.options.log(
        `demo agent exited (${signal ?? `code ${code}`}); restarting in ${Math.round(this.backoffMs / 1000)} s`,
      );
      this.restarts++;
      this.restartTimer = setTimeout(() => this.start(), this.backoffMs);
      this.backoffMs = Math.min(30_000, this.backoffMs * 2);
    });
  }

  /** SIGTERM lets the agent flush its outbox and say offline; SIGKILL of the group after the grace period. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    const pid = child.pid;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // The agent alone: it stops its own ffmpeg, which would otherwise look like a dropped stream to reconnect.
    child.kill('SIGTERM');
    const timeout = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), this.options.stopTimeoutMs ?? 10_000).unref(),
    );
    if ((await Promise.race([exited, timeout])) === 'timeout') {
      this.options.log('demo agent did not stop in time; killing it');
      signalGroup(pid, 'SIGKILL');
      await exited;
    }
  }

  /** Last resort on a forced exit: synchronous, no waiting. */
  killNow(): void {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    for (const pgid of this.groups) signalGroup(pgid, 'SIGKILL');
  }
}
