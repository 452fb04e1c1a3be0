import { readFileSync } from 'node:fs';
import { ModelProtoType } from './onnx-schema';

export interface OnnxNodeSummary {
  name: string;
  opType: string;
  domain: string;
  input: string[];
  output: string[];
}

export interface OnnxModelSummary {
  opset: number;
  producerName: string;
  nodes: OnnxNodeSummary[];
  initializerNames: string[];
  inputs: string[];
  outputs: string[];
  metadata: Record<string, string>;
}

interface DecodedModel {
  opsetImport?: { domain?: string; version?: number | { low: number } }[];
  producerName?: string;
  graph?: {
    node?: { name?: string; opType?: string; domain?: string; input?: string[]; output?: string[] }[];
    initializer?: { name?: string }[];
    input?: { name?: string }[];
    output?: { name?: string }[];
  };
  metadataProps?: { key?: string; value?: string }[];
}

/** Reads the structure of an ONNX file (nodes, names, opset); tensor data is not kept. */
export function readOnnxSummary(path: string): OnnxModelSummary {
  const decoded = ModelProtoType.toObject(ModelProtoType.decode(readFileSync(path)), {
    longs: Number,
    defaults: true,
  }) as DecodedModel;
  const graph = decoded.graph ?? {};
  const defaultOpset = decoded.opsetImport?.find((o) => !o.domain)?.version;
  return {
    opset: typeof defaultOpset === 'number' ? defaultOpset : 0,
    producerName: decoded.producerName ?? '',
    nodes: (graph.node ?? []).map((n) => ({
      name: n.name ?? '',
      opType: n.opType ?? '',
      domain: n.domain ?? '',
      input: n.input ?? [],
      output: n.output ?? [],
    })),
    initializerNames: (graph.initializer ?? []).map((t) => t.name ?? ''),
    inputs: (graph.input ?? []).map((v) => v.name ?? ''),
    outputs: (graph.output ?? []).map((v) => v.name ?? ''),
    metadata: Object.fromEntries((decoded.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? ''])),
  };
}
