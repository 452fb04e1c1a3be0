import type { GrayImage } from '../image/gray-image';

export interface Frame {
  image: GrayImage;
  /** Wall-clock capture time (ms since epoch). */
  capturedAt: number;
  /** Frame number since the source started (across reconnects). */
  index: number;
}

export type SourceState = 'connecting' | 'ok' | 'reconnecting' | 'ended' | 'failed';

export interface SourceHealth {
  state: SourceState;
  reconnects: number;
  error?: string;
}

/** Where frames come from: a file, a V4L2 camera or an IP camera stream. */
export interface FrameSource {
  frames(): AsyncIterable<Frame>;
  health(): SourceHealth;
  close(): Promise<void>;
}

export type SourceSpec =
  | { type: 'file'; path: string; loop?: boolean; realtime?: boolean }
  | { type: 'v4l2'; device: string; width?: number; height?: number }
  | { type: 'rtsp' | 'http'; url: string };
