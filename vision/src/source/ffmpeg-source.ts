import { FfmpegDecoder } from './ffmpeg-decoder';
import { probeVideo } from './ffprobe';
import type { Frame, FrameSource, SourceHealth, SourceSpec } from './frame-source';

export interface FfmpegSourceOptions {
  spec: SourceSpec;
  /** Frames per second handed to the pipeline (ffmpeg drops the rest); omit for every frame. */
  fps?: number;
  /** Scale frames to this size; omit to keep the stream's own size. */
  width?: number;
  height?: number;
  backoff?: { initialMs: number; maxMs: number };
  probeTimeoutMs?: number;
}

interface Input {
  input: string;
  inputArgs: string[];
  probeArgs: string[];
  live: boolean;
  /** Whether the input can come back after failing (a stream), as opposed to a broken file. */
  retryable: boolean;
}

export function describeInput(spec: SourceSpec): Input {
  switch (spec.type) {
    case 'file': {
      const args = [...(spec.realtime ? ['-re'] : []), ...(spec.loop ? ['-stream_loop', '-1'] : [])];
      return { input: spec.path, inputArgs: args, probeArgs: [], live: spec.realtime ?? false, retryable: false };
    }
    case 'v4l2': {
      const size = spec.width && spec.height ? ['-video_size', `${spec.width}x${spec.height}`] : [];
      const args = ['-f', 'v4l2', ...size];
      return { input: spec.device, inputArgs: args, probeArgs: args, live: true, retryable: true };
    }
    case 'rtsp': {
      // TCP survives NAT and lossy Wi-Fi; the socket timeout (µs) turns a dead camera into an error, not a hang.
      const args = ['-rtsp_transport', 'tcp', '-timeout', '5000000'];
      return { input: spec.url, inputArgs: args, probeArgs: args, live: true, retryable: true };
    }
    case 'http': {
      const args = ['-rw_timeout', '5000000'];
      return { input: spec.url, inputArgs: args, probeArgs: args, live: true, retryable: true };
    }
  }
}

/**
 * Frames from ffmpeg with reconnection: a stream that drops is reopened with exponential backoff
 * (1 s doubling to 30 s by default) for as long as the source is open; a file that ends is `ended`.
 */
export class FfmpegSource implements FrameSource {
  private state: SourceHealth = { state: 'connecting', reconnects: 0 };
  private decoder: FfmpegDecoder | undefined;
  private closed = false;
  private readonly abort = new AbortController();
  private index = 0;

  constructor(private readonly opts: FfmpegSourceOptions) {}

  health(): SourceHealth {
    return { ...this.state };
  }

  async *frames(): AsyncGenerator<Frame> {
    const input = describeInput(this.opts.spec);
    const backoff = this.opts.backoff ?? { initialMs: 1000, maxMs: 30_000 };
    let wait = backoff.initialMs;
    while (!this.closed) {
      let error: string | undefined;
      try {
        const info = await probeVideo(
          input.input,
          input.probeArgs,
          this.opts.probeTimeoutMs ?? 15_000,
          this.abort.signal,
        );
        this.decoder = new FfmpegDecoder({
          input: input.input,
          inputArgs: input.inputArgs,
          ...frameSize(info, this.opts.width, this.opts.height),
          fps: this.opts.fps,
          dropWhenBusy: input.live,
        });
        for (let image = await this.decoder.next(); image; image = await this.decoder.next()) {
          if (this.state.state !== 'ok') this.state = { state: 'ok', reconnects: this.state.reconnects };
          wait = backoff.initialMs;
          yield { image, capturedAt: Date.now(), index: this.index++ };
        }
        await this.decoder.exit;
        error = this.decoder.error;
        if (!error && !input.retryable) {
          this.state = { state: 'ended', reconnects: this.state.reconnects };
          return;
        }
      } catch (err) {
        error = (err as Error).message;
      }
      if (this.closed) return;
      error ??= 'stream ended';
      if (!input.retryable) {
        this.state = { state: 'failed', reconnects: this.state.reconnects, error: error.slice(0, 300) };
        return;
      }
      this.state = { state: 'reconnecting', reconnects: this.state.reconnects + 1, error: error.slice(0, 300) };
      await this.sleep(wait);
      wait = Math.min(wait * 2, backoff.maxMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.abort.signal.addEventListener('abort', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    await this.decoder?.close();
  }
}

/** The requested size; a width alone keeps the stream's aspect ratio (even height, as scalers prefer). */
export function frameSize(
  stream: { width: number; height: number },
  width?: number,
  height?: number,
): { width: number; height: number } {
  if (width && height) return { width, height };
  if (width) return { width, height: Math.max(2, 2 * Math.round((stream.height * width) / stream.width / 2)) };
  if (height) return { width: Math.max(2, 2 * Math.round((stream.width * height) / stream.height / 2)), height };
  return { width: stream.width, height: stream.height };
}
