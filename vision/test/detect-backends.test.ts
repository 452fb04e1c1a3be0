import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFaceDetector,
  nativeDetectorAvailable,
  nativeUnavailableReason,
  type FaceDetector,
  type GrayImage,
} from '../src';
import { rotateGray } from '../src/detect/haar/rotate-gray';
import { defaultCascadePath } from '../src/pipeline/create-pipeline';

const clip = resolve(__dirname, '../../../shared/data/video/intel_head-pose-face-detection-female-and-male.mp4');
const HAVE_CLIP = existsSync(clip);
if (!HAVE_CLIP) console.warn(`Haar plugin tests skipped: ${clip} is missing (the ../shared data folder)`);
// The clip's own size: no resampling, so the frame is exactly what ffmpeg decodes.
const WIDTH = 480;
const HEIGHT = 270;

/** A real frame of the two-person Intel clip (480x270), decoded by ffmpeg exactly as the device's source does. */
function decodeFrame(atSeconds: number): GrayImage {
  const data = execFileSync(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-ss',
      String(atSeconds),
      '-i',
      clip,
      '-frames:v',
      '1',
      '-vf',
      'format=gray',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'gray',
      'pipe:1',
    ],
    {
      maxBuffer: WIDTH * HEIGHT + 1024,
    },
  );
  return { width: WIDTH, height: HEIGHT, data: new Uint8Array(data) };
}

const native = nativeDetectorAvailable();
const nativeSkip = native ? '' : ` (skipped: @u4/opencv4nodejs not built here: ${nativeUnavailableReason()})`;

describe.skipIf(!HAVE_CLIP)(`Haar face detector plugins${HAVE_CLIP ? '' : ` (skipped: missing ${clip})`}`, () => {
  let frame: GrayImage;
  let wasm: FaceDetector;
  beforeAll(async () => {
    // At 0 s both people face the camera.
    frame = decodeFrame(0);
    wasm = await createFaceDetector({ kind: 'haar', haarBackend: 'wasm', cascadePath: defaultCascadePath() });
  });
  afterAll(() => wasm?.dispose());

  it('wasm finds the faces in a real video frame', async () => {
    const boxes = await wasm.detect(frame, { minFacePx: 40 });
    expect(boxes.length).toBe(2);
    for (const b of boxes) {
      expect(b.x).toBeGreaterThanOrEqual(0);
      expect(b.x + b.width).toBeLessThanOrEqual(WIDTH);
      expect(b.width).toBeGreaterThanOrEqual(40);
    }
  });

  it('a region of interest only returns faces inside it, in frame coordinates', async () => {
    const all = await wasm.detect(frame, { minFacePx: 40 });
    const first = all[0]!;
    // The left or right half holding the first face, so the ROI must find at least that one again.
    const leftHalf = first.x + first.width / 2 < WIDTH / 2;
    const roi = { x: leftHalf ? 0 : 0.5, y: 0, w: 0.5, h: 1 };
    const inRoi = await wasm.detect(frame, { minFacePx: 40, roi });
    expect(inRoi.length).toBeGreaterThanOrEqual(1);
    for (const b of inRoi) {
      expect(b.x).toBeGreaterThanOrEqual(roi.x * WIDTH);
      expect(b.x + b.width).toBeLessThanOrEqual((roi.x + roi.w) * WIDTH);
    }
    expect(inRoi.some((b) => Math.abs(b.x - first.x) < 4 && Math.abs(b.y - first.y) < 4)).toBe(true);
  });

  it('downscale detects on a smaller frame and maps the boxes back', async () => {
    const full = await wasm.detect(frame, { minFacePx: 40 });
    const half = await wasm.detect(frame, { minFacePx: 40, downscale: 0.5 });
    expect(half.length).toBeGreaterThanOrEqual(1);
    // Every half-resolution face lies on a full-resolution one (same person, boxes within Haar's jitter).
    for (const h of half) {
      const cx = h.x + h.width / 2;
      expect(
        full.some((f) => cx > f.x && cx < f.x + f.width && h.width > f.width * 0.6 && h.width < f.width * 1.6),
      ).toBe(true);
    }
  });

  it('rotation passes find heads tilted beyond the cascade and return them in the tilted frame', async () => {
    const upright = await wasm.detect(frame, { minFacePx: 40 });
    expect(upright.length).toBe(2);
    // The same two people with their heads (and the whole frame) turned by 30 degrees.
    const tilted = rotateGray(frame, 30);
    expect(await wasm.detect(tilted.image, { minFacePx: 40 })).toEqual([]);
    const found = await wasm.detect(tilted.image, { minFacePx: 40, rotations: [-30] });
    expect(found.length).toBe(2);
    // Every box lies on one of the upright faces once its centre is turned back.
    for (const b of found) {
      const c = tilted.toSource(b.x + b.width / 2, b.y + b.height / 2);
      const face = upright.find((f) => c.x > f.x && c.x < f.x + f.width && c.y > f.y && c.y < f.y + f.height);
      expect(face, JSON.stringify(b)).toBeDefined();
      expect(b.width / face!.width).toBeGreaterThan(0.7);
      expect(b.width / face!.width).toBeLessThan(1.3);
    }
    await expect(wasm.detect(frame, { rotations: [Number.NaN] })).rejects.toThrow(/rotations must be degrees/);
    // Angles that find nothing new leave the upright result untouched.
    expect(await wasm.detect(frame, { minFacePx: 40, rotations: [0, -0] })).toEqual(upright);
  });

  it('a missing cascade file is a clear error', async () => {
    await expect(
      createFaceDetector({ kind: 'haar', haarBackend: 'wasm', cascadePath: '/nonexistent/cascade.xml' }),
    ).rejects.toThrow(/Haar cascade not found/);
  });

  it.skipIf(!native)(`native returns exactly the wasm boxes on the same frame${nativeSkip}`, async () => {
    const nativeDetector = await createFaceDetector({
      kind: 'haar',
      haarBackend: 'native',
      cascadePath: defaultCascadePath(),
    });
    try {
      for (const params of [
        { minFacePx: 40 },
        { minFacePx: 40, scaleFactor: 1.05, minNeighbors: 3 },
        { minFacePx: 40, downscale: 0.5, roi: { x: 0.1, y: 0, w: 0.8, h: 1 } },
        { minFacePx: 40, rotations: [-20, 20], equalize: true },
        { minFacePx: 40, minNeighbors: 1, rotations: [-30, 15], downscale: 0.75 },
      ]) {
        const a = await nativeDetector.detect(frame, params);
        const b = await wasm.detect(frame, params);
        expect(a.length).toBeGreaterThanOrEqual(1);
        expect(a).toEqual(b);
      }
    } finally {
      nativeDetector.dispose();
    }
  });

  it('haar picks native when the addon is built and wasm otherwise; yunet is the default plugin', async () => {
    const d = await createFaceDetector({ kind: 'haar', cascadePath: defaultCascadePath() });
    const y = await createFaceDetector();
    try {
      expect(d.kind).toBe('haar');
      expect(d.name).toBe(native ? 'haar-native' : 'haar-wasm');
      expect(y.kind).toBe('yunet');
      y.dispose();
    } finally {
      d.dispose();
    }
  });
});
