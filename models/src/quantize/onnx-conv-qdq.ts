import { ModelProtoType, OnnxAttributeType, OnnxDataType } from '../onnx/onnx-schema';
import type { ActivationRange } from './calibrate';
import { activationQuant, quantizeBias, quantizeWeightsPerChannel, type ActivationQuant } from './quant-math';
import { roundingShift } from './write-qdq';

/**
 * Static QDQ int8 for an existing ONNX graph (one not built from our IR, such as YuNet's PyTorch export):
 * every Conv (but `floatConvs`) gets QuantizeLinear -> DequantizeLinear on its input and output, per-channel
 * int8 weights and int32 biases; a Conv followed only by Relu is quantized after the Relu (zero point 0, so
 * ONNX Runtime folds the Relu into QLinearConv). MaxPool and nearest Resize between quantized tensors keep
 * their input's scale and run on uint8; Add of two quantized tensors becomes QLinearAdd. Every other op
 * (shape arithmetic, Transpose, Reshape, Sigmoid of the heads) stays fp32 on dequantized values.
 */

interface OnnxTensor {
  name: string;
  dims?: number[];
  dataType: number;
  rawData?: Uint8Array;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: number[];
}

interface OnnxAttribute {
  name: string;
  type: number;
  i?: number;
  f?: number;
  s?: Uint8Array;
  ints?: number[];
  floats?: number[];
  t?: OnnxTensor;
}

export interface OnnxNode {
  name?: string;
  opType: string;
  domain?: string;
  input: string[];
  output: string[];
  attribute: OnnxAttribute[];
  docString?: string;
}

interface OnnxValueInfo {
  name: string;
  type?: { tensorType?: { elemType?: number; shape?: unknown } };
  docString?: string;
}

interface OnnxGraph {
  node: OnnxNode[];
  name?: string;
  initializer: OnnxTensor[];
  docString?: string;
  input: OnnxValueInfo[];
  output: OnnxValueInfo[];
  valueInfo: OnnxValueInfo[];
}

export interface OnnxModel {
  irVersion?: number;
  opsetImport: { domain?: string; version?: number }[];
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: number;
  docString?: string;
  graph: OnnxGraph;
  metadataProps: { key?: string; value?: string }[];
}

/** Decodes an ONNX file completely (tensor data included) into plain objects. */
export function decodeOnnx(bytes: Uint8Array): OnnxModel {
  const model = ModelProtoType.toObject(ModelProtoType.decode(bytes), { longs: Number, arrays: true }) as OnnxModel;
  if (!model.graph) throw new Error('ONNX model has no graph');
  return model;
}

export function encodeOnnx(model: OnnxModel): Uint8Array {
  const err = ModelProtoType.verify(model);
  if (err) throw new Error(`invalid ONNX model: ${err}`);
  return ModelProtoType.encode(ModelProtoType.fromObject(model)).finish();
}

/** Deep copy, so rewriting never touches the caller's model. */
function cloneModel(model: OnnxModel): OnnxModel {
  return decodeOnnx(encodeOnnx(model));
}

export function defaultOpset(model: OnnxModel): number {
  return model.opsetImport.find((o) => !o.domain)?.version ?? 0;
}

function attr(node: OnnxNode, name: string): OnnxAttribute | undefined {
  return node.attribute.find((a) => a.name === name);
}

function attrString(node: OnnxNode, name: string): string | undefined {
  const s = attr(node, name)?.s;
  return s ? new TextDecoder().decode(s) : undefined;
}

function floatData(t: OnnxTensor): Float32Array {
  if (t.dataType !== OnnxDataType.FLOAT) throw new Error(`initializer ${t.name} is not float32`);
  if (t.rawData && t.rawData.length > 0) {
    // Copy into a fresh buffer: raw_data need not be 4-byte aligned inside the decoded file (and a Buffer's
    // slice() would still share it).
    const bytes = new Uint8Array(t.rawData);
    return new Float32Array(bytes.buffer, 0, bytes.byteLength / 4);
  }
  return Float32Array.from(t.floatData ?? []);
}

function rawTensor(name: string, dataType: number, dims: readonly number[], data: ArrayBufferView): OnnxTensor {
  return {
    name,
    dims: [...dims],
    dataType,
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice(),
  };
}

/**
 * QuantizeLinear / DequantizeLinear with a per-channel axis need opset 13. Between 11 and 13 Squeeze and
 * Unsqueeze moved `axes` from an attribute to an input; other ops whose signature changed are refused.
 */
function upgradeToOpset13(model: OnnxModel): void {
  const from = defaultOpset(model);
  if (from >= 13) return;
  if (from < 11) throw new Error(`ONNX opset ${from} is not supported (need >= 11)`);
  const g = model.graph;
  for (const node of g.node) {
    if (node.domain) continue;
    if (node.opType === 'Squeeze' || node.opType === 'Unsqueeze') {
      const axes = attr(node, 'axes');
      if (!axes) continue;
      const name = `${node.name ?? node.output[0]}/axes`;
      g.initializer.push(
        rawTensor(
          name,
          OnnxDataType.INT64,
          [axes.ints?.length ?? 0],
          BigInt64Array.from((axes.ints ?? []).map(BigInt)),
        ),
      );
      node.input = [node.input[0] ?? '', name];
      node.attribute = node.attribute.filter((a) => a.name !== 'axes');
    } else if (
      ['Split', 'ReduceSum'].includes(node.opType) &&
      node.attribute.some((a) => a.name === 'split' || a.name === 'axes')
    ) {
      throw new Error(`${node.opType} ${node.name ?? ''}: upgrading it from opset ${from} to 13 is not implemented`);
    }
  }
  for (const o of model.opsetImport) if (!o.domain) o.version = 13;
}

type QuantSource = { kind: 'calibrated' } | { kind: 'inherit'; from: string };

/** Which convolutions and tensors a model gets quantized, decided from the graph alone. */
export interface ConvQdqPlan {
  /** Quantized Conv nodes, by node name (or first output when unnamed). */
  convs: Set<string>;
  /** Quantized tensors in creation order and where their scale comes from. */
  tensors: Map<string, QuantSource>;
  /** Tensors whose ranges come from calibration (or a fixed range). */
  calibrate: string[];
}

const nodeKey = (n: OnnxNode): string => n.name || (n.output[0] ?? '');

function initializerMap(g: OnnxGraph): Map<string, OnnxTensor> {
  return new Map(g.initializer.map((t) => [t.name, t]));
}

function consumersOf(g: OnnxGraph): Map<string, OnnxNode[]> {
  const consumers = new Map<string, OnnxNode[]>();
  for (const n of g.node) for (const i of n.input) if (i) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  return consumers;
}

function isQuantizableConv(n: OnnxNode, inits: Map<string, OnnxTensor>): boolean {
  if (n.opType !== 'Conv' || n.domain) return false;
  const w = inits.get(n.input[1] ?? '');
  const b = n.input[2] ? inits.get(n.input[2]) : undefined;
  return !!w && w.dataType === OnnxDataType.FLOAT && w.dims?.length === 4 && (!n.input[2] || !!b);
}

/** Conv node names, in graph order. */
export function convNames(model: OnnxModel): string[] {
  return model.graph.node.filter((n) => n.opType === 'Conv').map(nodeKey);
}

/** Convolutions that read a graph input (the image). */
export function firstConvolutions(model: OnnxModel): string[] {
  const inputs = new Set(model.graph.input.map((i) => i.name));
  return model.graph.node.filter((n) => n.opType === 'Conv' && inputs.has(n.input[0] ?? '')).map(nodeKey);
}

/**
 * The detection heads: convolutions no other convolution reads (directly or through non-conv ops), and those
 * whose every reader is such a final convolution. In YuNet these are the 12 per-stride cls/obj/bbox/kps
 * units (1x1 + depthwise 3x3 each, 24 convs, ~2 % of the multiply-adds).
 */
export function headConvolutions(model: OnnxModel): string[] {
  const g = model.graph;
  const consumers = consumersOf(g);
  const reachesConv = new Map<string, boolean>();
  const tensorReachesConv = (t: string, seen = new Set<string>()): boolean => {
    if (seen.has(t)) return false;
    seen.add(t);
    return (consumers.get(t) ?? []).some(
      (c) => c.opType === 'Conv' || c.output.some((o) => tensorReachesConv(o, seen)),
    );
  };
  const convs = g.node.filter((n) => n.opType === 'Conv');
  for (const c of convs)
    reachesConv.set(
      nodeKey(c),
      c.output.some((o) => tensorReachesConv(o)),
    );
  const final = new Set(convs.filter((c) => reachesConv.get(nodeKey(c)) === false).map(nodeKey));
  const heads = convs.filter((c) => {
    if (final.has(nodeKey(c))) return true;
    const readers = c.output.flatMap((o) => consumers.get(o) ?? []);
    return readers.length > 0 && readers.every((r) => r.opType === 'Conv' && final.has(nodeKey(r)));
  });
  return heads.map(nodeKey);
}

export function planConvQdq(model: OnnxModel, floatConvs: readonly string[] = []): ConvQdqPlan {
  const g = model.graph;
  const inits = initializerMap(g);
  const consumers = consumersOf(g);
  const graphOutputs = new Set(g.output.map((o) => o.name));
  const known = new Set(convNames(model));
  for (const name of floatConvs) if (!known.has(name)) throw new Error(`floatConvs: no Conv named ${name}`);
  const float = new Set(floatConvs);
  const tensors = new Map<string, QuantSource>();
  const convs = new Set<string>();
  const calibrated = (t: string): void => {
    if (!tensors.has(t) && !graphOutputs.has(t)) tensors.set(t, { kind: 'calibrated' });
  };
  for (const n of g.node) {
    if (n.domain) continue;
    const x = n.input[0] ?? '';
    switch (n.opType) {
      case 'Conv': {
        if (float.has(nodeKey(n)) || !isQuantizableConv(n, inits) || graphOutputs.has(n.output[0] ?? '')) break;
        convs.add(nodeKey(n));
        calibrated(x);
        const y = n.output[0] ?? '';
        const readers = consumers.get(y) ?? [];
        const relu = readers.length === 1 && readers[0]?.opType === 'Relu' ? readers[0] : undefined;
        // Conv -> Relu -> Q with zero point 0: ONNX Runtime drops the Relu into QLinearConv.
        calibrated(relu ? (relu.output[0] ?? '') : y);
        break;
      }
      case 'Relu':
        if (tensors.has(x)) calibrated(n.output[0] ?? '');
        break;
      case 'MaxPool':
      case 'Resize': {
        const nearest = n.opType === 'MaxPool' || (attrString(n, 'mode') ?? 'nearest') === 'nearest';
        const y = n.output[0] ?? '';
        // Both pick input values, so sharing the input's scale makes them exact on uint8.
        if (nearest && n.output.length === 1 && tensors.has(x) && !graphOutputs.has(y))
          tensors.set(y, { kind: 'inherit', from: x });
        break;
      }
      case 'Add':
        if (n.input.length === 2 && n.input.every((i) => tensors.has(i))) calibrated(n.output[0] ?? '');
        break;
    }
  }
  const calibrate = [...tensors].filter(([, s]) => s.kind === 'calibrated').map(([t]) => t);
  return { convs, tensors, calibrate };
}

/** The fp32 model with `tensors` added as graph outputs, for calibration runs. */
export function withExtraOutputs(model: OnnxModel, tensors: readonly string[]): Uint8Array {
  const m = cloneModel(model);
  const have = new Set([...m.graph.output, ...m.graph.input].map((o) => o.name));
  for (const t of tensors)
    if (!have.has(t)) m.graph.output.push({ name: t, type: { tensorType: { elemType: OnnxDataType.FLOAT } } });
  return encodeOnnx(m);
}

export interface ConvQdqOptions {
  /** Weight bits of regular (group = 1) convolutions; 7 avoids the u8·s8 int16 overflow of non-VNNI x86 kernels. */
  convWeightBits: number;
  /** Weight bits of grouped (depthwise) convolutions. */
  depthwiseWeightBits: number;
  /** Per-channel means of conv inputs: biases absorb the expected shift weight rounding causes. */
  channelMeans?: Map<string, Float32Array>;
  producerVersion: string;
  docString: string;
  metadata?: Record<string, string>;
}

/** Writes the QDQ model for `plan` with activation `ranges` (every tensor in plan.calibrate). */
export function writeConvQdq(
  source: OnnxModel,
  plan: ConvQdqPlan,
  ranges: Map<string, ActivationRange>,
  q: ConvQdqOptions,
): Uint8Array {
  const model = cloneModel(source);
  upgradeToOpset13(model);
  const g = model.graph;
  const inits = initializerMap(g);
  const params = new Map<string, ActivationQuant>();
  for (const [t, s] of plan.tensors) {
    if (s.kind === 'inherit') {
      const from = params.get(s.from);
      if (!from) throw new Error(`${t}: ${s.from} has no quantization parameters`);
      params.set(t, from);
    } else {
      const r = ranges.get(t);
      if (!r) throw new Error(`no calibration range for ${t}`);
      params.set(t, activationQuant(r.min, r.max));
    }
  }
  const newInits: OnnxTensor[] = [];
  const add = (t: OnnxTensor): string => {
    if (inits.has(t.name)) throw new Error(`duplicate initializer name ${t.name}`);
    inits.set(t.name, t);
    newInits.push(t);
    return t.name;
  };
  const floatScalar = (name: string, v: number): string =>
    add(rawTensor(name, OnnxDataType.FLOAT, [], Float32Array.of(v)));
  const out: OnnxNode[] = [];
  const node = (
    opType: string,
    input: string[],
    output: string[],
    name: string,
    attribute: OnnxAttribute[] = [],
  ): void => {
    out.push({ name, opType, input, output, attribute });
  };
  const dqName = (t: string): string => (params.has(t) ? `${t}/dq` : t);
  const emitQdq = (t: string): void => {
    const qp = params.get(t);
    if (!qp) return;
    const scale = floatScalar(`${t}/scale`, qp.scale);
    const zp = add(rawTensor(`${t}/zero_point`, OnnxDataType.UINT8, [], Uint8Array.of(qp.zeroPoint)));
    node('QuantizeLinear', [t, scale, zp], [`${t}/q`], `${t}/quantize`);
    node('DequantizeLinear', [`${t}/q`, scale, zp], [`${t}/dq`], `${t}/dequantize`);
  };
  const axis0: OnnxAttribute[] = [{ name: 'axis', type: OnnxAttributeType.INT, i: 0 }];
  const replaced = new Set<string>();

  for (const i of g.input) emitQdq(i.name);
  for (const n of g.node) {
    const key = nodeKey(n);
    if (plan.convs.has(key)) {
      const x = n.input[0] ?? '';
      const xq = params.get(x);
      if (!xq) throw new Error(`${key}: input ${x} is not quantized`);
      const wInit = inits.get(n.input[1] ?? '');
      if (!wInit) throw new Error(`${key}: weight is not an initializer`);
      const weight = floatData(wInit);
      const dims = wInit.dims ?? [];
      const outC = dims[0] ?? 0;
      const group = attr(n, 'group')?.i ?? 1;
      const bits = group === 1 ? q.convWeightBits : q.depthwiseWeightBits;
      const wq = quantizeWeightsPerChannel(weight, outC, 2 ** (bits - 1) - 1);
      const wName = add(rawTensor(`${key}/W_quantized`, OnnxDataType.INT8, dims, wq.data));
      const wScale = add(rawTensor(`${key}/W_scale`, OnnxDataType.FLOAT, [outC], wq.scales));
      const wZp = add(rawTensor(`${key}/W_zero_point`, OnnxDataType.INT8, [outC], new Int8Array(outC)));
      node('DequantizeLinear', [wName, wScale, wZp], [`${key}/W`], `${key}/W/dequantize`, axis0);
      replaced.add(wInit.name);
      const inputs = [`${x}/dq`, `${key}/W`];
      const bInit = n.input[2] ? inits.get(n.input[2]) : undefined;
      let bias = bInit ? floatData(bInit) : undefined;
      if (bInit) replaced.add(bInit.name);
      const means = q.channelMeans?.get(x);
      if (means) {
        const perChannel = weight.length / outC;
        const shift = roundingShift(
          weight,
          (i) => (wq.data[i] ?? 0) * (wq.scales[Math.floor(i / perChannel)] ?? 0),
          dims,
          group,
          means,
        );
        bias = (bias ?? new Float32Array(outC)).map((b, o) => b - (shift[o] ?? 0));
      }
      if (bias) {
        const bq = quantizeBias(bias, xq.scale, wq.scales);
        const bName = add(rawTensor(`${key}/B_quantized`, OnnxDataType.INT32, [outC], bq.data));
        const bScale = add(rawTensor(`${key}/B_scale`, OnnxDataType.FLOAT, [outC], bq.scales));
        const bZp = add(rawTensor(`${key}/B_zero_point`, OnnxDataType.INT32, [outC], new Int32Array(outC)));
        node('DequantizeLinear', [bName, bScale, bZp], [`${key}/B`], `${key}/B/dequantize`, axis0);
        inputs.push(`${key}/B`);
      }
      out.push({ ...n, input: inputs });
    } else {
      out.push({ ...n, input: n.input.map((i) => (i ? dqName(i) : i)) });
    }
    for (const o of n.output) emitQdq(o);
  }
  // Float weights and biases nothing reads any more.
  const stillRead = new Set(out.flatMap((n) => n.input));
  g.initializer = [...g.initializer.filter((t) => !replaced.has(t.name) || stillRead.has(t.name)), ...newInits];
  g.node = out;
  model.producerName = 'lectern-models';
  model.producerVersion = q.producerVersion;
  model.docString = q.docString;
  model.metadataProps = Object.entries(q.metadata ?? {}).map(([key, value]) => ({ key, value }));
  return encodeOnnx(model);
}
