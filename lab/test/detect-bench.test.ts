import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nativeDetectorAvailable } from '@lectern/vision';
import { crowdFramePath } from '../src/bench/bench-frame';
import { exited, spawnCli } from '../../device/test/helpers/agent-process';

const LAB_ROOT = resolve(__dirname, '..');
const CLIP = resolve(LAB_ROOT, '../../shared/data/video/intel_head-pose-face-detection-female-and-male.mp4');
if (!existsSync(CLIP)) console.warn(`lectern-lab bench test skipped: ${CLIP} is missing`);

interface Timing {
  detectMs: number;
  faces: number;
}

describe.skipIf(!existsSync(CLIP))('lectern-lab bench', () => {
  it('times YuNet and every Haar build on the same real frames and ends with one JSON line of ratios', async () => {
    const child = spawnCli(['bench', '--sizes', '320x240', '--runs', '1'], LAB_ROOT);
    const code = await exited(child);
    const out = child.output();
    expect(code, out).toBe(0);
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as {
      frames: {
        name: string;
        width: number;
        decodeMs: number;
        cropMs: number;
        classifyMs: number;
        publishMs: number;
        yunet: Timing;
        wasm: Timing;
        native: Timing | null;
        cpp: Timing | null;
        haarOverYunetTime: number;
      }[];
      haarOverYunetTime: number;
      yunetFacesFound: number;
      haarFacesFound: number;
      nativeOverCpp: number | null;
      wasmOverNative: number | null;
    };
    const [group, crowd] = r.frames;
    expect(group!.width).toBe(320);
    expect(crowd!.name).toBe('crowd');
    expect(existsSync(crowdFramePath())).toBe(true);
    expect(group!.yunet.faces).toBeGreaterThan(0);
    for (const v of [group!.decodeMs, group!.cropMs, group!.classifyMs, group!.publishMs, group!.yunet.detectMs])
      expect(v).toBeGreaterThan(0);
    expect(r.haarOverYunetTime).toBeCloseTo(group!.haarOverYunetTime, 6);
    expect(r.yunetFacesFound).toBe(crowd!.yunet.faces);
    expect(r.yunetFacesFound).toBeGreaterThanOrEqual(50);
    if (nativeDetectorAvailable()) {
      // Same cascade, same pixels: the plugins and the C++ reference agree on the face count.
      expect(group!.native!.faces).toBe(group!.wasm.faces);
      expect(r.haarFacesFound).toBe(crowd!.native!.faces);
      if (group!.cpp) {
        expect(group!.cpp.faces).toBe(group!.wasm.faces);
        expect(r.nativeOverCpp).toBeGreaterThan(0);
      }
    } else {
      expect(r.wasmOverNative).toBeNull();
      expect(r.haarFacesFound).toBe(crowd!.wasm.faces);
    }
  });
});
