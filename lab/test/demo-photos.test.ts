import { basename, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaceDetector, matchImage, readGrayImage, readLabelFile, type FaceDetector } from '@lectern/vision';
import { demoPhotoPaths, DEMO_SOURCE } from '../src';

const LABELS = resolve(__dirname, '../devset/labels.txt');

describe('the npm start demo audience', () => {
  let detector: FaceDetector;
  beforeAll(async () => {
    detector = await createFaceDetector();
  });
  afterAll(() => detector?.dispose());

  it('every demo photo is in the development set, and the default detector finds every face labelled in it', async () => {
    const labels = new Map(readLabelFile(LABELS).map((l) => [basename(l.path), l.faces]));
    const photos = demoPhotoPaths();
    expect(photos.map((p) => basename(p))).toEqual([...DEMO_SOURCE.files]);
    let faces = 0;
    for (const photo of photos) {
      const truth = labels.get(basename(photo));
      expect(truth, `${basename(photo)} has no labels in ${LABELS}`).toBeDefined();
      const found = await detector.detect(readGrayImage(photo));
      const m = matchImage(truth!, found, 0.3);
      expect(m.matched.every(Boolean), `${basename(photo)}: ${m.matched.filter(Boolean).length}/${truth!.length}`).toBe(
        true,
      );
      faces += truth!.length;
    }
    expect(faces).toBe(22);
  });
});
