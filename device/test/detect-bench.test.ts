import { describe, expect, it } from 'vitest';
import { nativeDetectorAvailable } from '../src';
import { exited, spawnCli } from './helpers/agent-process';

describe('lectern-device bench', () => {
  it('times every stage on a real group photo and ends with one JSON line of ratios', async () => {
    const child = spawnCli(['bench', '--sizes', '320x240', '--runs', '1']);
    const code = await exited(child);
    const out = child.output();
    expect(code, out).toBe(0);
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as {
      resolutions: {
        width: number;
        faces: number;
        decodeMs: number;
        cropMs: number;
        classifyMs: number;
        publishMs: number;
        wasm: { detectMs: number; faces: number };
        native: { faces: number } | null;
        cpp: { faces: number } | null;
      }[];
      nativeOverCpp: number | null;
      wasmOverNative: number | null;
    };
    const [x] = r.resolutions;
    expect(x!.width).toBe(320);
    expect(x!.faces).toBeGreaterThan(0);
    for (const v of [x!.decodeMs, x!.cropMs, x!.classifyMs, x!.publishMs, x!.wasm.detectMs])
      expect(v).toBeGreaterThan(0);
    if (nativeDetectorAvailable()) {
      // Same cascade, same pixels: the plugins and the C++ reference agree on the face count.
      expect(x!.native!.faces).toBe(x!.wasm.faces);
      expect(r.wasmOverNative).toBeGreaterThan(0);
      if (x!.cpp) {
        expect(x!.cpp.faces).toBe(x!.wasm.faces);
        expect(r.nativeOverCpp).toBeGreaterThan(0);
      }
    } else {
      expect(r.wasmOverNative).toBeNull();
    }
  });
});
