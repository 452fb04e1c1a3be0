import type * as tfjs from '@tensorflow/tfjs';
import { samePadding, type ConvNode, type IrModel, type IrNode, type Pads, type Shape3 } from '../ir/ir';
import { depthwiseToOihw, hwioToOihw } from './tfjs-graph-to-ir';

type Config = Record<string, unknown>;

/** Keras serialises activations as plain names ('relu', 'linear', 'softmax'). */
const activationName = (v: unknown): string =>
  typeof v === 'string' ? v : v === undefined || v === null ? 'linear' : JSON.stringify(v);

const pair = (v: unknown): [number, number] => {
  const a = Array.isArray(v) ? (v as number[]) : [Number(v), Number(v)];
  return [a[0] ?? 1, a[1] ?? a[0] ?? 1];
};

/** The layer's (single) input shape without the batch dimension, NCHW. */
function inputShape(layer: tfjs.layers.Layer): Shape3 {
  const shape = layer.inboundNodes[0]?.inputTensors[0]?.shape;
  if (!shape || shape.length !== 4)
    throw new Error(`${layer.name}: expected an NHWC input, got ${JSON.stringify(shape)}`);
  const [, h, w, c] = shape as number[];
  return [c ?? 0, h ?? 0, w ?? 0];
}

function pads(layer: tfjs.layers.Layer, kernel: [number, number], strides: [number, number]): Pads {
  const padding = (layer.getConfig() as Config).padding;
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same') throw new Error(`${layer.name}: unsupported padding ${String(padding)}`);
  const [, h, w] = inputShape(layer);
  const [top, bottom] = samePadding(h, kernel[0], strides[0]);
  const [left, right] = samePadding(w, kernel[1], strides[1]);
  return [top, left, bottom, right];
}

const values = (t: tfjs.Tensor | undefined, what: string): Float32Array => {
  if (!t) throw new Error(`missing weight ${what}`);
  return Float32Array.from(t.dataSync());
};

/**
 * Converts a Keras-style layers model (Conv2D, SeparableConv2D, BatchNormalization, Activation,
 * MaxPooling2D, Add, GlobalAveragePooling2D) into the IR the ONNX writers take. Batch norms are
 * folded into the convolution before them and a relu right after a convolution becomes its fused
 * activation, exactly as the TF.js graph converter does for the published model.
 */
export function layersModelToIr(model: tfjs.LayersModel, name: string): IrModel {
  const nodes: IrNode[] = [];
  /** Layer name -> IR tensor holding its output. */
  const tensorOf = new Map<string, string>();
  const producer = new Map<string, IrNode>();
  const readers = new Map<string, number>();
  for (const layer of model.layers)
    for (const l of layer.inboundNodes[0]?.inboundLayers ?? []) readers.set(l.name, (readers.get(l.name) ?? 0) + 1);
  const inputs = (layer: tfjs.layers.Layer): string[] =>
    (layer.inboundNodes[0]?.inboundLayers ?? []).map((l) => {
      const t = tensorOf.get(l.name);
      if (!t) throw new Error(`${layer.name}: input ${l.name} is not converted yet`);
      return t;
    });
  /** A conv whose output nobody else reads can absorb a following batch norm or relu. */
  const fusableConv = (layer: tfjs.layers.Layer): ConvNode | null => {
    const source = layer.inboundNodes[0]?.inboundLayers[0];
    const t = tensorOf.get(source?.name ?? '');
    const node = t ? producer.get(t) : undefined;
    return node?.kind === 'conv' && readers.get(source?.name ?? '') === 1 ? node : null;
  };
  const emit = (layer: tfjs.layers.Layer, node: IrNode): void => {
    nodes.push(node);
    producer.set(node.output, node);
    tensorOf.set(layer.name, node.output);
  };
  let input: IrModel['input'] | null = null;

  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const config = layer.getConfig() as Config;
    const w = layer.getWeights();
    switch (cls) {
      case 'InputLayer': {
        const shape = (config.batchInputShape ?? []) as number[];
        input = { name: 'input', shape: [shape[3] ?? 1, shape[1] ?? 0, shape[2] ?? 0] };
        tensorOf.set(layer.name, 'input');
        break;
      }
      case 'Conv2D':
      case 'SeparableConv2D': {
        const kernel = pair(config.kernelSize);
        const strides = pair(config.strides);
        if (pair(config.dilationRate).some((d) => d !== 1))
          throw new Error(`${layer.name}: dilated convolutions are not supported`);
        const useBias = config.useBias !== false;
        const activation = activationName(config.activation);
        if (activation !== 'linear' && activation !== 'relu')
          throw new Error(`${layer.name}: unsupported activation ${activation}`);
        const [inC] = inputShape(layer);
        const filters = Number(config.filters);
        let source = inputs(layer)[0] ?? '';
        let pointwise: Float32Array;
        let pointwiseDims: [number, number, number, number];
        let geometry = { strides, pads: pads(layer, kernel, strides) };
        if (cls === 'SeparableConv2D') {
          if (Number(config.depthMultiplier ?? 1) !== 1) throw new Error(`${layer.name}: depth multiplier must be 1`);
          const depthwise: ConvNode = {
            kind: 'conv',
            name: `${layer.name}/depthwise`,
            input: source,
            output: `${layer.name}/depthwise`,
            weight: depthwiseToOihw(values(w[0], `${layer.name} depthwise`), [kernel[0], kernel[1], inC, 1]),
            weightDims: [inC, 1, kernel[0], kernel[1]],
            bias: null,
            ...geometry,
            group: inC,
            relu: false,
          };
          nodes.push(depthwise);
          source = depthwise.output;
          pointwise = hwioToOihw(values(w[1], `${layer.name} pointwise`), [1, 1, inC, filters]);
          pointwiseDims = [filters, inC, 1, 1];
          geometry = { strides: [1, 1], pads: [0, 0, 0, 0] };
        } else {
          pointwise = hwioToOihw(values(w[0], `${layer.name} kernel`), [kernel[0], kernel[1], inC, filters]);
          pointwiseDims = [filters, inC, kernel[0], kernel[1]];
        }
        const bias = useBias ? values(w[cls === 'SeparableConv2D' ? 2 : 1], `${layer.name} bias`) : null;
        emit(layer, {
          kind: 'conv',
          name: layer.name,
          input: source,
          output: layer.name,
          weight: pointwise,
          weightDims: pointwiseDims,
          bias,
          ...geometry,
          group: 1,
          relu: activation === 'relu',
        });
        break;
      }
      case 'BatchNormalization': {
        const conv = fusableConv(layer);
        if (!conv || conv.relu) throw new Error(`${layer.name}: batch norm must directly follow a linear convolution`);
        const center = config.center !== false;
        const scaleOn = config.scale !== false;
        let k = 0;
        const gamma = scaleOn ? values(w[k++], 'gamma') : null;
        const beta = center ? values(w[k++], 'beta') : null;
        const mean = values(w[k++], 'moving mean');
        const variance = values(w[k++], 'moving variance');
        const eps = Number(config.epsilon ?? 1e-3);
        const out = conv.weightDims[0];
        const per = conv.weight.length / out;
        const bias = new Float32Array(out);
        for (let o = 0; o < out; o++) {
          const s = (gamma?.[o] ?? 1) / Math.sqrt((variance[o] ?? 1) + eps);
          for (let i = o * per; i < (o + 1) * per; i++) conv.weight[i] = (conv.weight[i] ?? 0) * s;
          bias[o] = ((conv.bias?.[o] ?? 0) - (mean[o] ?? 0)) * s + (beta?.[o] ?? 0);
        }
        conv.bias = bias;
        tensorOf.set(layer.name, conv.output);
        break;
      }
      case 'Activation':
      case 'ReLU': {
        const activation = cls === 'ReLU' ? 'relu' : activationName(config.activation);
        const [source = ''] = inputs(layer);
        if (activation === 'softmax') {
          emit(layer, { kind: 'softmax', name: layer.name, input: source, output: 'probabilities' });
        } else if (activation === 'relu') {
          const conv = fusableConv(layer);
          if (conv && !conv.relu) {
            conv.relu = true;
            tensorOf.set(layer.name, conv.output);
          } else {
            emit(layer, { kind: 'relu', name: layer.name, input: source, output: layer.name });
          }
        } else if (activation !== 'linear') {
          throw new Error(`${layer.name}: unsupported activation ${activation}`);
        } else {
          tensorOf.set(layer.name, source);
        }
        break;
      }
      case 'MaxPooling2D': {
        const kernel = pair(config.poolSize);
        const strides = pair(config.strides ?? config.poolSize);
        emit(layer, {
          kind: 'maxpool',
          name: layer.name,
          input: inputs(layer)[0] ?? '',
          output: layer.name,
          kernel,
          strides,
          pads: pads(layer, kernel, strides),
        });
        break;
      }
      case 'Add': {
        const [a, b, extra] = inputs(layer);
        if (!a || !b || extra) throw new Error(`${layer.name}: only two-input adds are supported`);
        emit(layer, { kind: 'add', name: layer.name, inputs: [a, b], output: layer.name });
        break;
      }
      case 'GlobalAveragePooling2D':
        emit(layer, { kind: 'gap', name: layer.name, input: inputs(layer)[0] ?? '', output: layer.name });
        break;
      default:
        throw new Error(`${layer.name}: layer type ${cls} is not supported by the ONNX exporter`);
    }
  }
  if (!input) throw new Error('the model has no input layer');
  const last = model.layers.at(-1);
  const output = tensorOf.get(last?.name ?? '');
  if (!output || producer.get(output)?.kind !== 'softmax')
    throw new Error('the model must end in a softmax activation');
  return { name, input, output, nodes };
}
