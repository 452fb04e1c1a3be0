import type * as tfjs from '@tensorflow/tfjs';
import { NUM_CLASSES } from '@lectern/vision';
import { MODEL_INPUT_SIZE } from '@lectern/vision';
import type { Tfjs } from './tfjs-runtime';

export interface MiniXceptionOptions {
  inputSize?: number;
  classes?: number;
  /** L2 kernel regulariser factor (the paper: 0.01). */
  l2?: number;
  /** Filters of the four residual modules (the paper: 16, 32, 64, 128). */
  moduleFilters?: readonly number[];
  /** Seed of the kernel initialisers, so two runs start from the same weights. */
  seed?: number;
  /** Batch-norm moving-average momentum (Keras default 0.99). */
  batchNormMomentum?: number;
}

/**
 * mini-Xception (Arriaga et al. 2017): two 3x3 convolutions, four residual modules of
 * depthwise-separable convolutions with batch norm, then a 3x3 convolution to one map per class,
 * global average pooling and softmax; no fully connected layer. Layer names are stable so
 * checkpoints can be reloaded into a freshly built model.
 */
export function buildMiniXception(tf: Tfjs, opts: MiniXceptionOptions = {}): tfjs.LayersModel {
  const size = opts.inputSize ?? MODEL_INPUT_SIZE;
  const l2 = opts.l2 ?? 0.01;
  let seed = opts.seed ?? 1;
  const init = (): ReturnType<Tfjs['initializers']['glorotUniform']> => tf.initializers.glorotUniform({ seed: seed++ });
  const reg = (): ReturnType<Tfjs['regularizers']['l2']> => tf.regularizers.l2({ l2 });
  const bn = (name: string): tfjs.layers.Layer =>
    tf.layers.batchNormalization({ name, momentum: opts.batchNormMomentum ?? 0.99 });
  const input = tf.input({ shape: [size, size, 1], name: 'input' });
  let x = input;
  const apply = (layer: tfjs.layers.Layer, t: tfjs.SymbolicTensor | tfjs.SymbolicTensor[]): tfjs.SymbolicTensor =>
    layer.apply(t) as tfjs.SymbolicTensor;

  for (const i of [1, 2]) {
    x = apply(
      tf.layers.conv2d({
        name: `base_conv${i}`,
        filters: 8,
        kernelSize: 3,
        useBias: false,
        kernelInitializer: init(),
        kernelRegularizer: reg(),
      }),
      x,
    );
    x = apply(bn(`base_bn${i}`), x);
    x = apply(tf.layers.activation({ name: `base_relu${i}`, activation: 'relu' }), x);
  }
  (opts.moduleFilters ?? [16, 32, 64, 128]).forEach((filters, m) => {
    const p = `module${m + 1}`;
    const sep = (name: string): tfjs.layers.Layer =>
      tf.layers.separableConv2d({
        name,
        filters,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
        depthwiseInitializer: init(),
        pointwiseInitializer: init(),
        depthwiseRegularizer: reg(),
        pointwiseRegularizer: reg(),
      });
    let residual = apply(
      tf.layers.conv2d({
        name: `${p}_residual`,
        filters,
        kernelSize: 1,
        strides: 2,
        padding: 'same',
        useBias: false,
        kernelInitializer: init(),
      }),
      x,
    );
    residual = apply(bn(`${p}_residual_bn`), residual);
    x = apply(sep(`${p}_sep1`), x);
    x = apply(bn(`${p}_bn1`), x);
    x = apply(tf.layers.activation({ name: `${p}_relu`, activation: 'relu' }), x);
    x = apply(sep(`${p}_sep2`), x);
    x = apply(bn(`${p}_bn2`), x);
    x = apply(tf.layers.maxPooling2d({ name: `${p}_pool`, poolSize: 3, strides: 2, padding: 'same' }), x);
    x = apply(tf.layers.add({ name: `${p}_add` }), [x, residual]);
  });
  x = apply(
    tf.layers.conv2d({
      name: 'class_conv',
      filters: opts.classes ?? NUM_CLASSES,
      kernelSize: 3,
      padding: 'same',
      kernelInitializer: init(),
    }),
    x,
  );
  x = apply(tf.layers.globalAveragePooling2d({ name: 'gap' }), x);
  const output = apply(tf.layers.activation({ name: 'predictions', activation: 'softmax' }), x);
  return tf.model({ inputs: input, outputs: output, name: 'mini_xception' });
}
