import type * as tfjs from '@tensorflow/tfjs';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tfjs } from './tfjs-runtime';

/**
 * Saves a layers model as model.json + weights.bin in `dir` (the TF.js file format). Written by
 * hand because the file:// handler only exists in tfjs-node, which training must not depend on.
 */
export async function saveLayersModel(tf: Tfjs, model: tfjs.LayersModel, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler((artifacts) => {
      const weights = artifacts.weightData;
      if (!weights || Array.isArray(weights)) throw new Error('expected one weight buffer');
      writeFileSync(join(dir, 'weights.bin'), new Uint8Array(weights));
      const json = {
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        generatedBy: 'lectern-models train',
        convertedBy: null,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
      return Promise.resolve({
        modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength },
      });
    }),
  );
}

/** Loads a checkpoint written by saveLayersModel. */
export async function loadLayersModel(tf: Tfjs, dir: string): Promise<tfjs.LayersModel> {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
    modelTopology: object;
    weightsManifest: { weights: tfjs.io.WeightsManifestEntry[] }[];
  };
  const bin = readFileSync(join(dir, 'weights.bin'));
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
    }),
  );
}
