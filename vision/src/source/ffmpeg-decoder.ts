import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { GrayImage } from '../image/gray-image';

export interface DecoderOptions {
  input: string;
  /** ffmpeg options placed before `-i` (container/transport options, -re, -stream_loop). */
  inputArgs?: string[];
  width: number;
  height: number;
  /** Resample to this frame rate (omit to keep every frame). */
  fps?: number;
  /**
   * Live sources keep only the newest frames so latency never builds up when processing is slower than
   * the camera; files apply back-pressure instead so no frame is lost.
   */
  dropWhenBusy?: boolean;
  maxQueue?: number;
}

/**
 * One ffmpeg process decoding to raw 8-bit gray frames on stdout (about 2-4 ms a frame here), split into
 * whole frames. Ends when ffmpeg exits; `error` then says why if it failed.
 */
export class FfmpegDecoder {
  private readonly child: ChildProcessByStdio<null, Readable, Readable>;
  private readonly frameBytes: number;
  private readonly queue: Uint8Array[] = [];
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private waiter: (() => void) | undefined;
  private stderrTail = '';
  private exited = false;
  private killed = false;
  /** Set when ffmpeg exited abnormally. */
  error: string | undefined;
  readonly exit: Promise<void>;

  constructor(private readonly opts: DecoderOptions) {
    this.frameBytes = opts.width * opts.height;
    const filters = [...(opts.fps ? [`fps=${opts.fps}`] : []), `scale=${opts.width}:${opts.height}`, 'format=gray'];
    const args = [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      ...(opts.inputArgs ?? []),
      '-i',
      opts.input,
      '-an',
      '-sn',
      '-dn',
      '-vf',
      filters.join(','),
      '-f',
      'rawvideo',
      '-pix_fmt',
      'gray',
      'pipe:1',
    ];
    this.child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (s: string) => {
      this.stderrTail = (this.stderrTail + s).slice(-2000);
    });
    this.child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    this.exit = new Promise((resolve) => {
      this.child.once('error', (err) => {
        this.error = `cannot start ffmpeg: ${err.message}`;
        this.finish();
        resolve();
      });
      this.child.once('close', (code, signal) => {
        if (!this.killed && code !== 0) {
          const last = this.stderrTail.trim().split('\n').at(-1) ?? '';
          this.error = `ffmpeg exited with ${code ?? signal}${last ? `: ${last}` : ''}`;
        }
        this.finish();
        resolve();
      });
    });
  }

  private onData(chunk: Buffer): void {
    this.partial.push(chunk);
    this.partialBytes += chunk.length;
    while (this.partialBytes >= this.frameBytes) {
      const all = Buffer.concat(this.partial, this.partialBytes);
      const frame = new Uint8Array(this.frameBytes);
      frame.set(all.subarray(0, this.frameBytes));
      const rest = all.subarray(this.frameBytes);
      this.partial = rest.length ? [Buffer.from(rest)] : [];
      this.partialBytes = rest.length;
      this.queue.push(frame);
    }
    const max = this.opts.maxQueue ?? 2;
    if (this.opts.dropWhenBusy) {
      while (this.queue.length > max) this.queue.shift();
    } else if (this.queue.length >= max) {
      this.child.stdout.pause();
    }
    this.wake();
  }

  private finish(): void {
    this.exited = true;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  /** The next whole frame, or null once ffmpeg has exited and every frame was taken. */
  async next(): Promise<GrayImage | null> {
    for (;;) {
      const data = this.queue.shift();
      if (data) {
        if (this.child.stdout.isPaused()) this.child.stdout.resume();
        return { width: this.opts.width, height: this.opts.height, data };
      }
      if (this.exited) return null;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  async close(): Promise<void> {
    if (!this.exited) {
      this.killed = true;
      // A paused stdout with unread frames never ends, and `close` waits for it: drop the pipes first.
      this.child.stdout.destroy();
      this.child.stderr.destroy();
      this.child.kill('SIGKILL');
    }
    await this.exit;
  }
}
