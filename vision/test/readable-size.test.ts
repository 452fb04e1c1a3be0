import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { FACE_SIZE_BINS_PX, readingSchema, snapshotSchema } from '@lectern/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  artifactPath,
  createDetector,
  createEmotionModel,
  DEFAULT_MIN_READABLE_PX,
  DEFAULT_PIPELINE,
  faceSizeCounts,
  faceSizePx,
  FaceSizeTally,
  loadManifest,
  readableFromPx,
  FramePipeline,
  readGrayImage,
  resizeArea,
  type EmotionModel,
  type FaceDetector,
  type GrayImage,
  type PipelineSettings,
} from '../src';

/** A real lecture-hall-like frame: 85 hand-labelled faces of 20-97 px at 1920x1080 (lab/devset/SOURCES.md). */
const CROWD = resolve(__dirname, '../../lab/devset/images/crowd-1920x1080.jpg');
const missing = [CROWD, artifactPath('int8')].find((p) => !existsSync(p));
if (missing) console.warn(`readable-size pipeline tests skipped: ${missing} not found`);

describe('face-size histogram', () => {
  it('counts sizes into the protocol bins, edges going to the upper bin', () => {
    const counts = faceSizeCounts([5, 11.9, 12, 15, 16, 20, 31, 32, 47, 48, 95, 96, 400]);
    expect(counts).toHaveLength(FACE_SIZE_BINS_PX.length);
    // bins 0, 12, 14, 16, 20, 24, 32, 48, 96
    expect(counts).toEqual([2, 1, 1, 1, 1, 1, 2, 2, 2]);
    expect(faceSizeCounts([])).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('tallies faces below the readable size exactly, even off a bin edge, and restarts on take()', () => {
    const tally = new FaceSizeTally(18);
    tally.add([10, 16, 17.9, 18, 40]);
    tally.add([19]);
    expect(tally.take()).toEqual({ counts: [1, 0, 0, 4, 0, 0, 1, 0, 0], total: 6, tooSmall: 3, minReadablePx: 18 });
    expect(tally.summary()).toMatchObject({ total: 0, tooSmall: 0, counts: [0, 0, 0, 0, 0, 0, 0, 0, 0] });
  });

  it('measures a face by the longer side of its box', () => {
    expect(faceSizePx({ width: 12, height: 17 })).toBe(17);
    expect(faceSizePx({ width: 30, height: 20 })).toBe(30);
    expect(DEFAULT_PIPELINE.minReadablePx).toBe(DEFAULT_MIN_READABLE_PX);
  });
});

describe.skipIf(missing !== undefined)('readable-size gate on a real crowd frame (YuNet + the int8 model)', () => {
  let detector: FaceDetector;
  let model: EmotionModel;
  /** Faces the real model was asked to classify, per call. */
  const classified: number[] = [];
  let counting: EmotionModel;
  let full: GrayImage;
  let half: GrayImage;

  beforeAll(async () => {
    detector = await createDetector({ detector: 'yunet' });
    model = await createEmotionModel();
    // The real classifier, only counting what it is given: the gate must keep small faces away from ORT.
    counting = {
      modelId: model.modelId,
      version: model.version,
      classify: (faces) => {
        classified.push(faces.length);
        return model.classify(faces);
      },
      close: () => model.close(),
    };
    full = readGrayImage(CROWD);
    // Half size: the faces become 10-48 px, many below the 16 px a face needs to be read.
    half = resizeArea(full, full.width / 2, full.height / 2);
  });

  afterAll(async () => {
    detector?.dispose();
    await model?.close();
  });

  const pipelineWith = (settings: Partial<PipelineSettings>): FramePipeline =>
    new FramePipeline(detector, counting, { ...DEFAULT_PIPELINE, detection: {}, ...settings });

  it('tracks every face but classifies only those at least minReadablePx', async () => {
    const pipeline = pipelineWith({});
    classified.length = 0;
    const r = await pipeline.process(half, 1000);
    const n = r.boxes.length;
    const readable = r.readable.filter(Boolean).length;
    console.log(
      `half-size crowd: ${n} faces, ${readable} readable, sizes ${JSON.stringify(faceSizeCounts(r.sizesPx))}`,
    );
    expect(n).toBeGreaterThan(60);
    expect(n - readable).toBeGreaterThan(10);
    expect(readable).toBeGreaterThan(10);
    r.boxes.forEach((b, i) => {
      expect(r.sizesPx[i]).toBe(faceSizePx(b));
      expect(r.readable[i]).toBe(r.sizesPx[i]! >= DEFAULT_MIN_READABLE_PX);
      expect(r.probabilities[i] !== null).toBe(r.readable[i]);
    });
    expect(r.probabilities).toHaveLength(n);
    expect(classified).toEqual([readable]);

    const room = pipeline.roomState(1000);
    expect(room.faces).toBe(n);
    expect(room.reading).toEqual({ read: readable, tooSmall: n - readable, minReadablePx: DEFAULT_MIN_READABLE_PX });
    expect(room.tracks).toHaveLength(readable);
    expect(readingSchema.safeParse(room.reading).success).toBe(true);
    // Attention still counts every listener: all were detected frontally in this pass.
    expect(room.aggregate.attention).toBe(1);
    const snapshot = {
      v: 1,
      deviceId: 'cam-1',
      roomId: 'room-1',
      seq: 0,
      capturedAt: Date.now(),
      ...room,
      model: { id: model.modelId, version: model.version },
      emotionEnabled: true,
    };
    const parsed = snapshotSchema.safeParse(snapshot);
    expect(parsed.success, parsed.success ? '' : parsed.error.message).toBe(true);
  });

  it('with emotion inference off counts too-small faces and reads none', async () => {
    const pipeline = pipelineWith({ emotionEnabled: false });
    classified.length = 0;
    const r = await pipeline.process(half, 1000);
    const room = pipeline.roomState(1000);
    expect(classified).toEqual([]);
    expect(r.probabilities.every((p) => p === null)).toBe(true);
    expect(room.reading).toEqual({
      read: 0,
      tooSmall: r.readable.filter((x) => !x).length,
      minReadablePx: DEFAULT_MIN_READABLE_PX,
    });
    expect(room.tracks).toEqual([]);
  });

  it('reads every face at full size, and all of them with minReadablePx 1', async () => {
    const atFull = pipelineWith({});
    const r = await atFull.process(full, 1000);
    // The labelled faces are 20-97 px at full size: nearly all reach 16 px (a YuNet box is brows to chin).
    expect(r.readable.filter(Boolean).length).toBeGreaterThanOrEqual(0.95 * r.boxes.length);
    const ungated = pipelineWith({ minReadablePx: 1 });
    classified.length = 0;
    const h = await ungated.process(half, 1000);
    expect(classified).toEqual([h.boxes.length]);
    expect(ungated.roomState(1000).reading).toMatchObject({ read: h.boxes.length, tooSmall: 0 });
  });

  it('gates on sizes in the pixels of the frame given, whatever the detection downscale or upscale', async () => {
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const plain = await pipelineWith({ emotionEnabled: false }).process(full, 0);
    const down = await pipelineWith({ emotionEnabled: false, detection: { downscale: 0.5, upscale: 1 } }).process(
      full,
      0,
    );
    const up = await pipelineWith({ emotionEnabled: false, detection: { upscale: 2 } }).process(half, 0);
    const halfPlain = await pipelineWith({ emotionEnabled: false }).process(half, 0);
    // Detecting at half resolution finds the larger faces of the full frame, measured in full-frame pixels.
    expect(median(down.sizesPx) / median(plain.sizesPx)).toBeGreaterThan(0.85);
    expect(median(down.sizesPx)).toBeGreaterThan(1.5 * median(halfPlain.sizesPx));
    // Detecting at double resolution finds more of the half frame's faces, measured in half-frame pixels.
    expect(up.boxes.length).toBeGreaterThanOrEqual(halfPlain.boxes.length);
    expect(median(up.sizesPx) / median(halfPlain.sizesPx)).toBeLessThan(1.2);
    expect(up.readable).toEqual(up.sizesPx.map((px) => px >= DEFAULT_MIN_READABLE_PX));
  });

  it('a track that shrinks below the readable size stops being read', async () => {
    const pipeline = pipelineWith({ minReadablePx: 30 });
    const r = await pipeline.process(full, 1000);
    const room = pipeline.roomState(1000);
    const big = r.sizesPx.filter((px) => px >= 30).length;
    expect(room.reading).toEqual({ read: big, tooSmall: r.boxes.length - big, minReadablePx: 30 });
    // Same tracks, stricter threshold: read ones fall to too small without a new detection pass.
    pipeline.settings.minReadablePx = 1000;
    expect(pipeline.roomState(1000).reading).toEqual({ read: 0, tooSmall: r.boxes.length, minReadablePx: 1000 });
  });
});

describe('the readable size', () => {
  it('is where the accuracy curve reaches two thirds of its full-size accuracy, between measured sizes', () => {
    // 2/3 of 0.6 = 0.4, crossed a quarter of the way from 16 (0.38) to 24 (0.46) px.
    expect(readableFromPx({ '12': 0.3, '16': 0.38, '24': 0.46, '32': 0.55, '48': 0.6 })).toBe(18);
    expect(readableFromPx({ '48': 0.6, '12': 0.45 })).toBe(12);
    expect(() => readableFromPx({ '48': 0.6 })).toThrow(/two face sizes/);
  });

  it('by default is the one the bundled model measured', () => {
    const manifest = loadManifest();
    expect(DEFAULT_MIN_READABLE_PX).toBe(readableFromPx(manifest.accuracyByFacePx));
    expect(manifest.minReadablePx).toBe(DEFAULT_MIN_READABLE_PX);
  });
});
