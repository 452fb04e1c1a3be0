import { inferShapes, samePadding, type IrModel, type IrNode, type Pads, type Shape3 } from '../ir/ir';
import type { TfjsGraphModel, TfNodeDef, TfWeight } from '../tfjs/graph-model-files';

const decodeString = (s: string | undefined): string =>
  s === undefined ? '' : Buffer.from(s, 'base64').toString('utf8');

function attrString(node: TfNodeDef, key: string): string {
  return decodeString(node.attr?.[key]?.s);
}

function attrInts(node: TfNodeDef, key: string): number[] {
  return (node.attr?.[key]?.list?.i ?? []).map(Number);
}

function attrStrings(node: TfNodeDef, key: string): string[] {
  return (node.attr?.[key]?.list?.s ?? []).map((s) => decodeString(s));
}

/** "prefix/name:0" and "^control" -> "prefix/name"; control inputs are dropped by the caller. */
const tensorName = (input: string): string => input.replace(/:\d+$/, '');

/** Readable ONNX names: Keras-exported graphs prefix every node with the same wrapper scope. */
const shortName = (tfName: string): string => tfName.replace(/^StatefulPartitionedCall\/[^/]+\//, '');

function hwTuple(values: number[], node: TfNodeDef, what: string): [number, number] {
  // NHWC attributes: [1, h, w, 1].
  if (values.length !== 4 || values[0] !== 1 || values[3] !== 1) {
    throw new Error(`${node.name}: unsupported ${what} ${JSON.stringify(values)}`);
  }
  return [values[1] ?? 1, values[2] ?? 1];
}

function paddingFor(
  node: TfNodeDef,
  shape: Shape3,
  kernel: readonly [number, number],
  strides: readonly [number, number],
): Pads {
  const padding = attrString(node, 'padding');
  if (padding === 'VALID') return [0, 0, 0, 0];
  if (padding !== 'SAME') throw new Error(`${node.name}: unsupported padding "${padding}"`);
  const [top, bottom] = samePadding(shape[1], kernel[0], strides[0]);
  const [left, right] = samePadding(shape[2], kernel[1], strides[1]);
  return [top, left, bottom, right];
}

function checkNhwcAndDilations(node: TfNodeDef): void {
  const format = attrString(node, 'data_format');
  if (format && format !== 'NHWC') throw new Error(`${node.name}: unsupported data_format ${format}`);
  const dilations = attrInts(node, 'dilations');
  if (dilations.some((d) => d !== 1)) throw new Error(`${node.name}: dilated convolutions are not supported`);
}

/** HWIO (TF Conv2D) -> OIHW (ONNX Conv). */
export function hwioToOihw(w: Float32Array, shape: readonly number[]): Float32Array {
  const [h = 0, wd = 0, i = 0, o = 0] = shape;
  const out = new Float32Array(w.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < wd; x++)
      for (let ci = 0; ci < i; ci++)
        for (let co = 0; co < o; co++) out[((co * i + ci) * h + y) * wd + x] = w[((y * wd + x) * i + ci) * o + co] ?? 0;
  return out;
}

/** H·W·C·M (TF depthwise, M = multiplier) -> (C·M)·1·H·W (ONNX Conv with group = C). */
export function depthwiseToOihw(w: Float32Array, shape: readonly number[]): Float32Array {
  const [h = 0, wd = 0, c = 0, m = 0] = shape;
  const out = new Float32Array(w.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < wd; x++)
      for (let ci = 0; ci < c; ci++)
        for (let mi = 0; mi < m; mi++) out[((ci * m + mi) * h + y) * wd + x] = w[((y * wd + x) * c + ci) * m + mi] ?? 0;
  return out;
}

/**
 * Converts a TF.js graph model built from conv / depthwise conv / max pool / add / relu /
 * global mean / softmax into the IR. Anything else is rejected with the node name, rather than
 * silently producing a different network.
 */
export function tfjsGraphToIr(model: TfjsGraphModel, name: string): IrModel {
  const nodes = model.json.modelTopology.node;
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const aliases = new Map<string, string>();
  const resolve = (input: string): string => {
    let n = tensorName(input);
    while (aliases.has(n)) n = aliases.get(n) ?? n;
    return n;
  };
  const dataInputs = (node: TfNodeDef): string[] => (node.input ?? []).filter((i) => !i.startsWith('^')).map(resolve);
  const weight = (input: string | undefined, node: TfNodeDef): TfWeight => {
    const w = input === undefined ? undefined : model.weights.get(input);
    if (!w || byName.get(input ?? '')?.op !== 'Const')
      throw new Error(`${node.name}: input ${input} is not a constant weight`);
    return w;
  };

  const placeholders = nodes.filter((n) => n.op === 'Placeholder');
  const inputNode = placeholders[0];
  if (placeholders.length !== 1 || !inputNode)
    throw new Error(`expected exactly one input, found ${placeholders.length}`);
  const dims = (inputNode.attr?.shape?.shape?.dim ?? []).map((d) => Number(d.size));
  if (dims.length !== 4) throw new Error(`input ${inputNode.name} must be NHWC, got shape ${JSON.stringify(dims)}`);
  const inputShape: Shape3 = [dims[3] ?? 0, dims[1] ?? 0, dims[2] ?? 0];

  const ir: IrModel = { name, input: { name: 'input', shape: inputShape }, output: '', nodes: [] };
  const tensorNames = new Map<string, string>([[inputNode.name, 'input']]);
  const onnxName = (tf: string): string => {
    const n = tensorNames.get(tf);
    if (!n) throw new Error(`tensor ${tf} is used before it is produced (unsupported graph order)`);
    return n;
  };
  let lastOutput = '';

  for (const node of nodes) {
    const out = shortName(node.name);
    const ins = dataInputs(node);
    const shapes = inferShapes(ir);
    const shapeOf = (tf: string): Shape3 => shapes.get(onnxName(tf)) as Shape3;
    let irNode: IrNode | null = null;
    switch (node.op) {
      case 'Const':
      case 'Placeholder':
        continue;
      case 'Identity':
        aliases.set(node.name, ins[0] ?? '');
        continue;
      case '_FusedConv2D':
      case 'Conv2D':
      case 'DepthwiseConv2dNative':
      case '_FusedDepthwiseConv2dNative': {
        checkNhwcAndDilations(node);
        const depthwise = node.op.includes('Depthwise');
        const fused = node.op.startsWith('_Fused') ? attrStrings(node, 'fused_ops') : [];
        if (fused.some((op) => op !== 'BiasAdd' && op !== 'Relu') || (fused.length > 0 && fused[0] !== 'BiasAdd')) {
          throw new Error(`${node.name}: unsupported fused ops ${fused.join('+')}`);
        }
        const w = weight(ins[1], node);
        const [kh, kw, ci, co] = w.shape as [number, number, number, number];
        const strides = hwTuple(attrInts(node, 'strides'), node, 'strides');
        const inShape = shapeOf(ins[0] ?? '');
        if (inShape[0] !== ci)
          throw new Error(`${node.name}: weight expects ${ci} input channels, tensor has ${inShape[0]}`);
        const bias = fused.includes('BiasAdd') ? weight(ins[2], node).data : null;
        irNode = {
          kind: 'conv',
          name: out,
          input: onnxName(ins[0] ?? ''),
          output: out,
          weight: depthwise
            ? depthwiseToOihw(w.data as Float32Array, w.shape)
            : hwioToOihw(w.data as Float32Array, w.shape),
          weightDims: depthwise ? [ci * co, 1, kh, kw] : [co, ci, kh, kw],
          bias: bias ? Float32Array.from(bias) : null,
          strides,
          pads: paddingFor(node, inShape, [kh, kw], strides),
          group: depthwise ? ci : 1,
          relu: fused.includes('Relu'),
        };
        break;
      }
      case 'MaxPool': {
        checkNhwcAndDilations(node);
        const kernel = hwTuple(attrInts(node, 'ksize'), node, 'ksize');
        const strides = hwTuple(attrInts(node, 'strides'), node, 'strides');
        const input = ins[0] ?? '';
        irNode = {
          kind: 'maxpool',
          name: out,
          input: onnxName(input),
          output: out,
          kernel,
          strides,
          pads: paddingFor(node, shapeOf(input), kernel, strides),
        };
        break;
      }
      case 'Add':
      case 'AddV2': {
        const [a, b] = ins;
        if (a === undefined || b === undefined || model.weights.has(a) || model.weights.has(b)) {
          throw new Error(`${node.name}: only the addition of two computed tensors is supported`);
        }
        irNode = { kind: 'add', name: out, inputs: [onnxName(a), onnxName(b)], output: out };
        break;
      }
      case 'Relu':
        irNode = { kind: 'relu', name: out, input: onnxName(ins[0] ?? ''), output: out };
        break;
      case 'Mean': {
        const axes = weight(ins[1], node);
        const keepDims = node.attr?.keep_dims?.b === true;
        if (keepDims || [...axes.data].sort().join() !== '1,2') {
          throw new Error(`${node.name}: only a spatial mean without keep_dims (global average pooling) is supported`);
        }
        irNode = { kind: 'gap', name: out, input: onnxName(ins[0] ?? ''), output: out };
        break;
      }
      case 'Softmax':
        irNode = { kind: 'softmax', name: out, input: onnxName(ins[0] ?? ''), output: out };
        break;
      default:
        throw new Error(`${node.name}: unsupported TF op ${node.op}`);
    }
    ir.nodes.push(irNode);
    tensorNames.set(node.name, irNode.output);
    lastOutput = irNode.output;
  }
  const last = ir.nodes.at(-1);
  if (!last || last.output !== lastOutput) throw new Error('the graph has no operations');
  // A stable, framework-neutral output name for consumers of the ONNX file.
  last.output = 'probabilities';
  ir.output = last.output;
  return ir;
}
