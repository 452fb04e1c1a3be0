import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EMOTIONS } from '@lectern/protocol';
import { describe, expect, it } from 'vitest';
import { analyzeVideo } from '../src';

const shared = resolve(__dirname, '../../../shared');
const male = join(shared, 'data/video/intel_head-pose-face-detection-male.mp4');
if (!existsSync(male))
  console.warn(`analyze-video.test.ts: tests on the real clip skipped: ${male} is missing (the ../shared data folder)`);

describe('analyzeVideo', () => {
  it.skipIf(!existsSync(male))('finds the smiling man in every second and calls him happy', async () => {
    const progress: number[] = [];
    const result = await analyzeVideo(male, { sampleFps: 4, onProgress: (f) => progress.push(f) });
    expect(result.durationS).toBeGreaterThan(5);
    expect(result.frames).toBeGreaterThanOrEqual(20);
    expect(result.snapshots.map((s) => s.t)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const s of result.snapshots) expect(s.faces).toBeGreaterThan(0);
    const happy = EMOTIONS.indexOf('happy');
    const mean =
      result.snapshots.reduce((sum, s) => sum + s.aggregate.distribution[happy]!, 0) / result.snapshots.length;
    console.log(
      `happy share over the clip: ${mean.toFixed(3)}; dominants: ${result.snapshots.map((s) => s.aggregate.dominant).join(',')}`,
    );
    expect(result.snapshots.filter((s) => s.aggregate.dominant === 'happy').length).toBeGreaterThan(
      result.snapshots.length / 2,
    );
    expect(progress.at(-1)).toBe(1);
  });

  it('rejects a corrupt file with a clear message', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lectern-'));
    const bad = join(dir, 'broken.mp4');
    await writeFile(bad, Buffer.from('this is not a video at all, just some text pretending'));
    await expect(analyzeVideo(bad)).rejects.toThrow(/cannot read video .*broken\.mp4/);
    await expect(analyzeVideo(join(dir, 'missing.mp4'))).rejects.toThrow(/cannot read video .*No such file/);
  });

  it.skipIf(!existsSync(male))('stops when aborted', async () => {
    const ctrl = new AbortController();
    const run = analyzeVideo(male, {
      signal: ctrl.signal,
      onProgress: (f) => f > 0.2 && ctrl.abort(new Error('user cancelled')),
    });
    await expect(run).rejects.toThrow(/cancelled/);
  });
});
