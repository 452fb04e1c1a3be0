import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The parts of a TF.js graph-model model.json this package reads. */
export interface TfjsGraphModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  modelTopology: { node: TfNodeDef[] };
  weightsManifest: { paths: string[]; weights: TfWeightSpec[] }[];
}

export interface TfNodeDef {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttrValue>;
}

export interface TfAttrValue {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  list?: { s?: string[]; i?: (string | number)[] };
  shape?: { dim?: { size: string | number }[] };
}

export interface TfWeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}

export interface TfWeight {
  shape: number[];
  data: Float32Array | Int32Array;
}

export interface TfjsGraphModel {
  json: TfjsGraphModelJson;
  /** Concatenated weight shards, as TF.js's own loader expects them. */
  weightData: ArrayBuffer;
  weights: Map<string, TfWeight>;
}

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4 };

/**
 * Reads model.json and its weight shards from disk. `weightsPath` replaces the shards with one file holding
 * the same weights in the same layout and order (fine-tuned weights, models/python/tfjs_graph.py writes them).
 */
export function readTfjsGraphModel(modelJsonPath: string, weightsPath?: string): TfjsGraphModel {
  const json = JSON.parse(readFileSync(modelJsonPath, 'utf8')) as TfjsGraphModelJson;
  if (json.format !== undefined && json.format !== 'graph-model') {
    throw new Error(`${modelJsonPath}: format is "${json.format}", expected a TF.js graph-model`);
  }
  const dir = dirname(modelJsonPath);
  const shards = weightsPath
    ? [readFileSync(weightsPath)]
    : json.weightsManifest.flatMap((group) => group.paths.map((p) => readFileSync(join(dir, p))));
  const all = Buffer.concat(shards);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);

  const weights = new Map<string, TfWeight>();
  let offset = 0;
  for (const spec of json.weightsManifest.flatMap((g) => g.weights)) {
    const size = BYTES_PER_ELEMENT[spec.dtype];
    if (size === undefined || spec.quantization) {
      throw new Error(`${modelJsonPath}: weight ${spec.name} has unsupported dtype/quantization (${spec.dtype})`);
    }
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const bytes = weightData.slice(offset, offset + count * size);
    if (bytes.byteLength !== count * size)
      throw new Error(`${weightsPath ?? modelJsonPath}: weight data ends inside ${spec.name}`);
    weights.set(spec.name, {
      shape: spec.shape,
      data: spec.dtype === 'int32' ? new Int32Array(bytes) : new Float32Array(bytes),
    });
    offset += count * size;
  }
  if (offset !== weightData.byteLength) {
    throw new Error(
      `${weightsPath ?? modelJsonPath}: ${weightData.byteLength} bytes of weights, the graph describes ${offset}`,
    );
  }
  return { json, weightData, weights };
}
