import * as ort from 'onnxruntime-node';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iou, readGrayImage, YunetFaceDetector, type FaceDetection } from '@lectern/vision';
import { readOnnxSummary } from '../src/onnx/onnx-reader';
import { TensorStats } from '../src/quantize/calibrate';
import { decodeOnnx, firstConvolutions, headConvolutions, planConvQdq } from '../src/quantize/onnx-conv-qdq';
import {
  DEFAULT_YUNET_QUANTIZE_SETTINGS,
  DEVSET_IMAGES_DIR,
  FP32_YUNET_PATH,
  quantizeYunet,
  yunetCalibrationFrames,
} from '../src/quantize/quantize-yunet';

// Everything here comes from the repository (vision/models/yunet, lab/devset), nothing from the shared folder.
const tmp = mkdtempSync(join(tmpdir(), 'lectern-quant-yunet-test-'));
const int8Path = join(tmp, 'yunet-int8.onnx');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('YuNet graph planning', () => {
  const model = decodeOnnx(readFileSync(FP32_YUNET_PATH));

  it('finds the image convolution and the 24 head convolutions (12 per-stride cls/obj/bbox/kps units)', () => {
    expect(firstConvolutions(model)).toEqual(['Conv_0']);
    const heads = headConvolutions(model);
    expect(heads).toHaveLength(24);
    expect(heads).toContain('Conv_64');
    expect(heads).not.toContain('Conv_55');
  });

  it('quantizes every Conv, the Add inputs of the neck and shares scales through MaxPool and Resize', () => {
    const all = planConvQdq(model);
    expect(all.convs.size).toBe(59);
    expect(all.tensors.get('input')).toEqual({ kind: 'calibrated' });
    expect(all.tensors.get('216')).toEqual({ kind: 'inherit', from: '215' }); // MaxPool_5
    expect(all.tensors.get('268')).toEqual({ kind: 'inherit', from: '263' }); // Resize_43
    expect(all.calibrate).toContain('269'); // Add_44 feeds Conv_45
    expect(planConvQdq(model, headConvolutions(model)).convs.size).toBe(35);
    expect(() => planConvQdq(model, ['Conv_999'])).toThrow(/no Conv named/);
  });
});

describe('TensorStats', () => {
  it('averages channels over inputs of different sizes', () => {
    const s = new TensorStats(2, 4);
    s.observeRange(Float32Array.from([1, 1, 1, 1, 2, 2, 2, 2]));
    s.observeRange(Float32Array.from([3, 5, 4, 6]), 1); // a batch of two 1x1 images
    const [c0 = NaN, c1 = NaN] = s.channelMeans();
    expect(c0).toBeCloseTo((4 + 3 + 4) / 6, 6);
    expect(c1).toBeCloseTo((8 + 5 + 6) / 6, 6);
    expect([s.min, s.max]).toEqual([1, 6]);
  });
});

describe('lectern-models quantize --model yunet', () => {
  beforeAll(async () => {
    // A small calibration set: two dev-set photos (crowd-1920x1080, sample-me) at half size.
    const frames = yunetCalibrationFrames(DEVSET_IMAGES_DIR, [0.5], 2);
    expect(frames).toHaveLength(2);
    writeFileSync(int8Path, await quantizeYunet(readFileSync(FP32_YUNET_PATH), frames));
  }, 120_000);

  it('writes QDQ int8 that ONNX Runtime loads and fuses into QLinearConv / QLinearAdd', async () => {
    const raw = readOnnxSummary(int8Path);
    expect(raw.opset).toBe(13);
    expect(raw.nodes.filter((n) => n.opType === 'QuantizeLinear').length).toBeGreaterThan(40);
    expect(raw.initializerNames.filter((n) => n.endsWith('/W_quantized'))).toHaveLength(58);
    expect(raw.metadata.calibrationFrames).toBe('2');

    const optimized = join(tmp, 'optimized.onnx');
    const session = await ort.InferenceSession.create(int8Path, {
      graphOptimizationLevel: 'all',
      optimizedModelFilePath: optimized,
    });
    expect(session.outputNames).toHaveLength(12);
    await session.release();
    const ops = readOnnxSummary(optimized).nodes.map((n) => n.opType);
    // All but the image convolution (kept fp32 for speed, see DEFAULT_YUNET_QUANTIZE_SETTINGS).
    expect(DEFAULT_YUNET_QUANTIZE_SETTINGS).toMatchObject({ floatFirstConv: true, floatHeads: false });
    expect(ops.filter((o) => o === 'QLinearConv')).toHaveLength(58);
    expect(ops.filter((o) => o === 'QLinearAdd')).toHaveLength(2);
    expect(ops.filter((o) => o === 'Conv' || o === 'FusedConv')).toHaveLength(1);
  });

  it('finds the same faces as fp32 (IoU >= 0.5) on a photo calibration did not see', async () => {
    const img = readGrayImage(join(DEVSET_IMAGES_DIR, 'sample1.jpg'));
    const detect = async (modelPath: string): Promise<FaceDetection[]> => {
      const d = await YunetFaceDetector.create({ modelPath, threads: 1 });
      try {
        return await d.detect(img);
      } finally {
        d.dispose();
      }
    };
    const [fp32, int8] = [await detect(FP32_YUNET_PATH), await detect(int8Path)];
    expect(fp32.length).toBeGreaterThanOrEqual(3); // sample1 has three labelled faces
    expect(int8).toHaveLength(fp32.length);
    for (const f of fp32) {
      const best = Math.max(...int8.map((q) => iou(f, q)));
      expect(best).toBeGreaterThanOrEqual(0.5);
    }
  });
});
