import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FfmpegDecoder, FfmpegSource } from '../src';

const male = resolve(__dirname, '../../../shared/data/video/intel_head-pose-face-detection-male.mp4');
if (!existsSync(male))
  console.warn(`ffmpeg-source.test.ts: tests on the real clip skipped: ${male} is missing (the ../shared data folder)`);

describe.skipIf(!existsSync(male))('ffmpeg frames', () => {
  it('closes promptly while ffmpeg is paused by back-pressure', async () => {
    const decoder = new FfmpegDecoder({ input: male, width: 480, height: 270, maxQueue: 2 });
    expect((await decoder.next())?.data.length).toBe(480 * 270);
    // Let ffmpeg fill the pipe and get paused, then close without reading the rest.
    await new Promise((r) => setTimeout(r, 1000));
    const started = Date.now();
    await decoder.close();
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('loops a file source and scales it to the configured width, keeping the aspect ratio', async () => {
    const source = new FfmpegSource({
      spec: { type: 'file', path: male, loop: true, realtime: false },
      fps: 12,
      width: 320,
    });
    let n = 0;
    for await (const frame of source.frames()) {
      expect([frame.image.width, frame.image.height]).toEqual([320, 180]);
      if (++n >= 80) break; // the clip has 62 frames: 80 means it looped
    }
    expect(source.health()).toMatchObject({ state: 'ok', reconnects: 0 });
    await source.close();
  });
});
