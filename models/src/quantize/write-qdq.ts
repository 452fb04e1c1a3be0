import { inferShapes, nodeInputs, type ConvNode, type IrModel, type IrNode } from '../ir/ir';
import { OnnxGraphBuilder, type AttributeValue } from '../onnx/onnx-builder';
import { ONNX_OPSET, type OnnxWriteOptions } from '../onnx/write-fp32';
import type { ActivationRange } from './calibrate';
import { activationQuant, quantizeBias, quantizeWeightsPerChannel, type ActivationQuant } from './quant-math';

export interface QdqOptions {
  /** Weight bits of regular (group = 1) convolutions. 7 avoids the u8·s8 int16 overflow of non-VNNI x86 kernels. */
  convWeightBits: number;
  /** Weight bits of depthwise convolutions (their kernels accumulate in int32, so 8 is safe). */
  depthwiseWeightBits: number;
  /** Fixed range of the model input (known from preprocessing, not calibrated). */
  inputRange: ActivationRange;
  /**
   * Mean of each channel of the convolution inputs over the calibration set. When given, each bias
   * absorbs the expected output shift the weight rounding causes (analytic bias correction).
   */
  channelMeans?: Map<string, Float32Array>;
  /**
   * Added to the model input before quantization (and subtracted again through the first conv's bias).
   * (g/255 - 0.5) * 2 lies exactly half a step off every uint8 grid that contains 0, so without a
   * shift of 1/255 round-half-to-even merges pairs of gray levels.
   */
  inputOffset?: number;
  /** Search a per-channel clipping of the weight range that minimises the rounding error. */
  weightClipSearch?: boolean;
  /**
   * Convolutions (IR node names) kept in fp32. The first conv sees the raw image, whose 256 gray
   * levels fall between the uint8 steps of (g/255 - 0.5) * 2, and the last conv produces the class
   * logits; both are small (2 % of the MACs) but their rounding costs the most accuracy.
   */
  floatConvs?: readonly string[];
}

/** Expected per-output-channel error sum((w_q - w) * E[x]) of a grouped convolution. */
export function roundingShift(
  weight: Float32Array,
  dequantized: (i: number) => number,
  dims: readonly number[],
  group: number,
  means: Float32Array,
): Float32Array {
  const [outC = 0, inPerGroup = 0, kh = 1, kw = 1] = dims;
  const taps = kh * kw;
  const outPerGroup = outC / group;
  const shift = new Float32Array(outC);
  for (let o = 0; o < outC; o++) {
    const g = Math.floor(o / outPerGroup);
    let sum = 0;
    for (let ci = 0; ci < inPerGroup; ci++) {
      const mean = means[g * inPerGroup + ci] ?? 0;
      for (let t = 0; t < taps; t++) {
        const i = (o * inPerGroup + ci) * taps + t;
        sum += (dequantized(i) - (weight[i] ?? 0)) * mean;
      }
    }
    shift[o] = sum;
  }
  return shift;
}

function convAttributes(node: ConvNode): Record<string, AttributeValue> {
  return {
    kernel_shape: [node.weightDims[2], node.weightDims[3]],
    strides: [...node.strides],
    pads: [...node.pads],
    group: node.group,
    dilations: [1, 1],
  };
}

/** Tensors whose ranges the quantizer needs from calibration. */
export function tensorsToCalibrate(model: IrModel): string[] {
  return model.nodes.filter((n) => n.kind === 'conv' || n.kind === 'add' || n.kind === 'relu').map((n) => n.output);
}

/**
 * Static QDQ int8 model: every activation between quantizable ops goes through
 * QuantizeLinear(uint8) -> DequantizeLinear, weights are per-channel int8, biases int32. ONNX Runtime
 * turns DQ -> Conv/Add -> Q groups into QLinearConv / QLinearAdd and runs MaxPool on uint8 directly
 * because its input and output share one scale. The classifier head (global pool + softmax) stays fp32.
 */
export function writeQdqOnnx(
  model: IrModel,
  ranges: Map<string, ActivationRange>,
  q: QdqOptions,
  opts: OnnxWriteOptions,
): Uint8Array {
  const shapes = inferShapes(model);
  const g = new OnnxGraphBuilder(`${model.name}-int8`);
  g.input(model.input.name, ['N', ...model.input.shape]);

  const params = new Map<string, ActivationQuant>();
  const dequantized = new Map<string, string>();
  /** Q -> DQ pair after a float tensor; consumers read the dequantized name. */
  const quantize = (tensor: string, qp: ActivationQuant, source = tensor): void => {
    params.set(tensor, qp);
    const scale = g.float(`${tensor}/scale`, [], Float32Array.of(qp.scale));
    const zp = g.uint8(`${tensor}/zero_point`, [], Uint8Array.of(qp.zeroPoint));
    g.node('QuantizeLinear', [source, scale, zp], [`${tensor}/q`], {}, `${tensor}/quantize`);
    g.node('DequantizeLinear', [`${tensor}/q`, scale, zp], [`${tensor}/dq`], {}, `${tensor}/dequantize`);
    dequantized.set(tensor, `${tensor}/dq`);
  };
  const dq = (tensor: string): string => {
    const name = dequantized.get(tensor);
    if (!name) throw new Error(`tensor ${tensor} has no quantization parameters`);
    return name;
  };
  const calibrated = (tensor: string): ActivationQuant => {
    const r = ranges.get(tensor);
    if (!r) throw new Error(`no calibration range for ${tensor}`);
    return activationQuant(r.min, r.max);
  };
  const consumers = new Map<string, string[]>();
  for (const node of model.nodes)
    for (const i of nodeInputs(node)) consumers.set(i, [...(consumers.get(i) ?? []), node.kind]);

  const floatConvs = new Set(q.floatConvs ?? []);
  for (const name of floatConvs) {
    if (!model.nodes.some((n) => n.kind === 'conv' && n.name === name))
      throw new Error(`floatConvs: no convolution named ${name}`);
  }
  const isFloat = (node: IrNode): boolean => node.kind === 'conv' && floatConvs.has(node.name);
  // A float tensor is read as is; a quantized one through its DequantizeLinear.
  const floatOrDq = (tensor: string): string => dequantized.get(tensor) ?? tensor;
  const quantizedReaders = (tensor: string): IrNode[] =>
    model.nodes.filter((n) => nodeInputs(n).includes(tensor) && !isFloat(n) && n.kind !== 'gap');

  const inputOffset = q.inputOffset ?? 0;
  const inputQuant = activationQuant(q.inputRange.min + inputOffset, q.inputRange.max + inputOffset);
  if (quantizedReaders(model.input.name).length === 0) {
    // Only float convolutions read the image: it is never quantized.
  } else if (inputOffset === 0) {
    quantize(model.input.name, inputQuant);
  } else {
    const shifted = `${model.input.name}/shifted`;
    g.node(
      'Add',
      [model.input.name, g.float(`${model.input.name}/offset`, [], Float32Array.of(inputOffset))],
      [shifted],
      {},
      shifted,
    );
    quantize(model.input.name, inputQuant, shifted);
  }

  for (const node of model.nodes) {
    switch (node.kind) {
      case 'conv': {
        if (isFloat(node)) {
          const inputs = [floatOrDq(node.input), g.float(`${node.name}/W`, node.weightDims, node.weight)];
          if (node.bias) inputs.push(g.float(`${node.name}/B`, [node.weightDims[0]], node.bias));
          const convOut = node.relu ? `${node.output}/preact` : node.output;
          g.node('Conv', inputs, [convOut], convAttributes(node), node.name);
          if (node.relu) g.node('Relu', [convOut], [node.output], {}, `${node.name}/relu`);
          if (quantizedReaders(node.output).length > 0) quantize(node.output, calibrated(node.output));
          else dequantized.set(node.output, node.output);
          break;
        }
        const inputQ = params.get(node.input);
        if (!inputQ) throw new Error(`${node.name}: input ${node.input} is not quantized`);
        const outChannels = node.weightDims[0];
        const bits = node.group === 1 ? q.convWeightBits : q.depthwiseWeightBits;
        const wq = quantizeWeightsPerChannel(
          node.weight,
          outChannels,
          2 ** (bits - 1) - 1,
          q.weightClipSearch === true,
        );
        const wName = g.int8(`${node.name}/W_quantized`, node.weightDims, wq.data);
        const wScale = g.float(`${node.name}/W_scale`, [outChannels], wq.scales);
        const wZp = g.int8(`${node.name}/W_zero_point`, [outChannels], new Int8Array(outChannels));
        g.node('DequantizeLinear', [wName, wScale, wZp], [`${node.name}/W`], { axis: 0 }, `${node.name}/W/dequantize`);
        const inputs = [dq(node.input), `${node.name}/W`];
        let bias = node.bias;
        if (node.input === model.input.name && inputOffset !== 0) {
          // The conv now sees x + offset; w * offset summed over its taps comes off the bias.
          if (node.pads.some((p) => p !== 0))
            throw new Error(`${node.name}: an input offset needs an unpadded first convolution`);
          const perChannel = node.weight.length / outChannels;
          bias = (bias ?? new Float32Array(outChannels)).map((b, o) => {
            let sum = 0;
            for (let i = o * perChannel; i < (o + 1) * perChannel; i++) sum += node.weight[i] ?? 0;
            return b - inputOffset * sum;
          });
        }
        const means = q.channelMeans?.get(node.input);
        if (means) {
          const perChannel = node.weight.length / outChannels;
          const shift = roundingShift(
            node.weight,
            (i) => (wq.data[i] ?? 0) * (wq.scales[Math.floor(i / perChannel)] ?? 0),
            node.weightDims,
            node.group,
            means,
          );
          const base = bias ?? new Float32Array(outChannels);
          bias = base.map((b, o) => b - (shift[o] ?? 0));
        }
        if (bias) {
          const bq = quantizeBias(bias, inputQ.scale, wq.scales);
          const bName = g.int32(`${node.name}/B_quantized`, [outChannels], bq.data);
          const bScale = g.float(`${node.name}/B_scale`, [outChannels], bq.scales);
          const bZp = g.int32(`${node.name}/B_zero_point`, [outChannels], new Int32Array(outChannels));
          g.node(
            'DequantizeLinear',
            [bName, bScale, bZp],
            [`${node.name}/B`],
            { axis: 0 },
            `${node.name}/B/dequantize`,
          );
          inputs.push(`${node.name}/B`);
        }
        const convOut = node.relu ? `${node.output}/preact` : node.output;
        g.node('Conv', inputs, [convOut], convAttributes(node), node.name);
        if (node.relu) g.node('Relu', [convOut], [node.output], {}, `${node.name}/relu`);
        quantize(node.output, calibrated(node.output));
        break;
      }
      case 'maxpool': {
        // Sharing the input's scale and zero point makes the pool exact on uint8.
        const inputQ = params.get(node.input);
        if (!inputQ) throw new Error(`${node.name}: input ${node.input} is not quantized`);
        g.node(
          'MaxPool',
          [dq(node.input)],
          [node.output],
          { kernel_shape: [...node.kernel], strides: [...node.strides], pads: [...node.pads] },
          node.name,
        );
        quantize(node.output, inputQ);
        break;
      }
      case 'add':
        g.node('Add', node.inputs.map(dq), [node.output], {}, node.name);
        quantize(node.output, calibrated(node.output));
        break;
      case 'relu':
        g.node('Relu', [dq(node.input)], [node.output], {}, node.name);
        quantize(node.output, calibrated(node.output));
        break;
      case 'gap':
        g.node('GlobalAveragePool', [floatOrDq(node.input)], [`${node.output}/nchw`], {}, node.name);
        g.node('Flatten', [`${node.output}/nchw`], [node.output], { axis: 1 }, `${node.name}/flatten`);
        dequantized.set(node.output, node.output);
        break;
      case 'softmax':
        g.node('Softmax', [dequantized.get(node.input) ?? node.input], [node.output], { axis: 1 }, node.name);
        dequantized.set(node.output, node.output);
        break;
    }
  }
  g.output(model.output, ['N', ...(shapes.get(model.output) ?? [])]);
  return g.encode({
    opset: ONNX_OPSET,
    producerVersion: opts.producerVersion,
    docString: opts.docString,
    metadata: opts.metadata,
  });
}
