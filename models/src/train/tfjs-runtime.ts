export type Tfjs = typeof import('@tensorflow/tfjs');

/**
 * @tensorflow/tfjs-node (native TensorFlow kernels) when it is installed, else the pure-JS CPU
 * backend. tfjs-node is optional: it needs a native download that an offline machine cannot make.
 */
export async function loadTrainingTfjs(): Promise<{ tf: Tfjs; backend: 'tfjs-node' | 'cpu (pure JS)' }> {
  try {
    // A string variable keeps TypeScript from requiring the optional package's declarations.
    const specifier: string = '@tensorflow/tfjs-node';
    const tf = (await import(specifier)) as Tfjs;
    return { tf, backend: 'tfjs-node' };
  } catch {
    const tf = await import('@tensorflow/tfjs');
    await tf.setBackend('cpu');
    return { tf, backend: 'cpu (pure JS)' };
  }
}
