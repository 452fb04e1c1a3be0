/**
 * A small, framework-neutral description of the CNNs this package handles. Both the TF.js graph
 * converter and the trainer's exporter produce it; the fp32 and int8 ONNX writers consume it.
 * Tensors are NCHW; shapes below omit the batch dimension.
 */
export type Shape3 = readonly [channels: number, height: number, width: number];
/** ONNX order: top, left, bottom, right. */
export type Pads = readonly [number, number, number, number];

export interface ConvNode {
  kind: 'conv';
  name: string;
  input: string;
  output: string;
  /** OIHW, I = input channels / group. */
  weight: Float32Array;
  weightDims: readonly [number, number, number, number];
  bias: Float32Array | null;
  strides: readonly [number, number];
  pads: Pads;
  group: number;
  relu: boolean;
}

export interface MaxPoolNode {
  kind: 'maxpool';
  name: string;
  input: string;
  output: string;
  kernel: readonly [number, number];
  strides: readonly [number, number];
  pads: Pads;
}

export interface AddNode {
  kind: 'add';
  name: string;
  inputs: readonly [string, string];
  output: string;
}

export interface ReluNode {
  kind: 'relu';
  name: string;
  input: string;
  output: string;
}

/** Global average pooling straight to [N, C] (no trailing 1x1 dims), as Keras and TF Mean do. */
export interface GlobalAvgPoolNode {
  kind: 'gap';
  name: string;
  input: string;
  output: string;
}

export interface SoftmaxNode {
  kind: 'softmax';
  name: string;
  input: string;
  output: string;
}

export type IrNode = ConvNode | MaxPoolNode | AddNode | ReluNode | GlobalAvgPoolNode | SoftmaxNode;

export interface IrModel {
  name: string;
  input: { name: string; shape: Shape3 };
  output: string;
  /** Topologically ordered. */
  nodes: IrNode[];
}

export function nodeInputs(node: IrNode): readonly string[] {
  return node.kind === 'add' ? node.inputs : [node.input];
}

/** Output shape of every tensor, computed from the input shape and each node's geometry. */
export function inferShapes(model: IrModel): Map<string, readonly number[]> {
  const shapes = new Map<string, readonly number[]>([[model.input.name, model.input.shape]]);
  const shapeOf = (name: string): readonly number[] => {
    const s = shapes.get(name);
    if (!s) throw new Error(`tensor ${name} is used before it is produced`);
    return s;
  };
  for (const node of model.nodes) {
    switch (node.kind) {
      case 'conv':
      case 'maxpool': {
        const [c, h, w] = shapeOf(node.input) as Shape3;
        const [kh, kw] = node.kind === 'conv' ? [node.weightDims[2], node.weightDims[3]] : node.kernel;
        const [t, l, b, r] = node.pads;
        const oh = Math.floor((h + t + b - kh) / node.strides[0]) + 1;
        const ow = Math.floor((w + l + r - kw) / node.strides[1]) + 1;
        shapes.set(node.output, [node.kind === 'conv' ? node.weightDims[0] : c, oh, ow]);
        break;
      }
      case 'add': {
        const [a, b] = node.inputs.map(shapeOf);
        if (a?.join() !== b?.join())
          throw new Error(`${node.name}: cannot add shapes ${a?.join('x')} and ${b?.join('x')}`);
        shapes.set(node.output, a ?? []);
        break;
      }
      case 'gap':
        shapes.set(node.output, [shapeOf(node.input)[0] ?? 0]);
        break;
      case 'relu':
      case 'softmax':
        shapes.set(node.output, shapeOf(node.input));
        break;
    }
  }
  return shapes;
}

/** TF "SAME" padding for one axis: output = ceil(in / stride), extra pixel at the end. */
export function samePadding(size: number, kernel: number, stride: number): [before: number, after: number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

export interface ModelCost {
  parameters: number;
  macs: number;
}

/** Parameters and multiply-accumulates per image (convolutions dominate; pooling is not counted). */
export function modelCost(model: IrModel): ModelCost {
  const shapes = inferShapes(model);
  let parameters = 0;
  let macs = 0;
  for (const node of model.nodes) {
    if (node.kind !== 'conv') continue;
    parameters += node.weight.length + (node.bias?.length ?? 0);
    const [, oh, ow] = shapes.get(node.output) as Shape3;
    macs += oh * ow * node.weight.length;
  }
  return { parameters, macs };
}
