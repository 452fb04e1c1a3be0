import { ModelProtoType, OnnxAttributeType, OnnxDataType } from './onnx-schema';

export type OnnxDataTypeCode = (typeof OnnxDataType)[keyof typeof OnnxDataType];
export type AttributeValue = number | number[] | string | { float: number } | { floats: number[] };

interface TensorMessage {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}

interface AttributeMessage {
  name: string;
  type: number;
  i?: number;
  f?: number;
  s?: Uint8Array;
  ints?: number[];
  floats?: number[];
}

interface NodeMessage {
  name: string;
  opType: string;
  domain?: string;
  input: string[];
  output: string[];
  attribute: AttributeMessage[];
}

interface ValueInfoMessage {
  name: string;
  type: { tensorType: { elemType: number; shape: { dim: ({ dimValue: number } | { dimParam: string })[] } } };
}

/** A dimension: a fixed size, or a symbolic name such as the batch size "N". */
export type Dim = number | string;

function bytesOf(data: Float32Array | Int32Array | Int8Array | Uint8Array | BigInt64Array): Uint8Array {
  // ONNX raw_data is little-endian, as are all platforms Node supports.
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
}

function attribute(name: string, value: AttributeValue): AttributeMessage {
  if (typeof value === 'number') return { name, type: OnnxAttributeType.INT, i: value };
  if (typeof value === 'string') return { name, type: OnnxAttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: OnnxAttributeType.INTS, ints: value };
  if ('float' in value) return { name, type: OnnxAttributeType.FLOAT, f: value.float };
  return { name, type: OnnxAttributeType.FLOATS, floats: value.floats };
}

function valueInfo(name: string, elemType: number, dims: readonly Dim[]): ValueInfoMessage {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** Accumulates nodes and initializers in insertion order, so equal inputs serialise to equal bytes. */
export class OnnxGraphBuilder {
  private readonly nodes: NodeMessage[] = [];
  private readonly initializers: TensorMessage[] = [];
  private readonly inputs: ValueInfoMessage[] = [];
  private readonly outputs: ValueInfoMessage[] = [];
  private readonly names = new Set<string>();

  constructor(private readonly graphName: string) {}

  input(name: string, dims: readonly Dim[]): this {
    this.inputs.push(valueInfo(name, OnnxDataType.FLOAT, dims));
    return this;
  }

  output(name: string, dims: readonly Dim[], elemType: number = OnnxDataType.FLOAT): this {
    this.outputs.push(valueInfo(name, elemType, dims));
    return this;
  }

  float(name: string, dims: readonly number[], data: Float32Array): string {
    return this.tensor(name, OnnxDataType.FLOAT, dims, bytesOf(data));
  }

  int8(name: string, dims: readonly number[], data: Int8Array): string {
    return this.tensor(name, OnnxDataType.INT8, dims, bytesOf(data));
  }

  uint8(name: string, dims: readonly number[], data: Uint8Array): string {
    return this.tensor(name, OnnxDataType.UINT8, dims, bytesOf(data));
  }

  int32(name: string, dims: readonly number[], data: Int32Array): string {
    return this.tensor(name, OnnxDataType.INT32, dims, bytesOf(data));
  }

  int64(name: string, dims: readonly number[], data: readonly number[]): string {
    return this.tensor(name, OnnxDataType.INT64, dims, bytesOf(BigInt64Array.from(data.map((v) => BigInt(v)))));
  }

  node(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attributes: Record<string, AttributeValue> = {},
    name = outputs[0] ?? opType,
  ): void {
    this.nodes.push({
      name,
      opType,
      input: [...inputs],
      output: [...outputs],
      attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)),
    });
  }

  /** Serialises a complete model; `opset` applies to the default ai.onnx domain. */
  encode(opts: {
    opset: number;
    producerVersion: string;
    docString: string;
    metadata?: Record<string, string>;
  }): Uint8Array {
    const model = {
      irVersion: 8,
      opsetImport: [{ domain: '', version: opts.opset }],
      producerName: 'lectern-models',
      producerVersion: opts.producerVersion,
      docString: opts.docString,
      graph: {
        name: this.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
      metadataProps: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
    };
    const err = ModelProtoType.verify(model);
    if (err) throw new Error(`invalid ONNX model: ${err}`);
    return ModelProtoType.encode(ModelProtoType.fromObject(model)).finish();
  }

  private tensor(name: string, dataType: number, dims: readonly number[], rawData: Uint8Array): string {
    if (this.names.has(name)) throw new Error(`duplicate initializer name ${name}`);
    this.names.add(name);
    this.initializers.push({ name, dims: [...dims], dataType, rawData });
    return name;
  }
}
