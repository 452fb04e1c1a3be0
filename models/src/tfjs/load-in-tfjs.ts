import type * as tfjs from '@tensorflow/tfjs';
import type { TfjsGraphModel } from './graph-model-files';

/** Loads the graph model into a TF.js instance (pure JS or tfjs-node) from memory, no fetch/file IO handler needed. */
export async function loadInTfjs(tf: typeof tfjs, files: TfjsGraphModel): Promise<tfjs.GraphModel> {
  return tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: files.json.modelTopology,
      weightSpecs: files.json.weightsManifest.flatMap((g) => g.weights) as tfjs.io.WeightsManifestEntry[],
      weightData: files.weightData,
    }),
  );
}
