import { inferShapes, type IrModel } from '../ir/ir';
import { OnnxGraphBuilder } from './onnx-builder';

export const ONNX_OPSET = 13;

export interface OnnxWriteOptions {
  producerVersion: string;
  docString: string;
  metadata?: Record<string, string>;
  /** Also expose these intermediate tensors as graph outputs (used for calibration). */
  extraOutputs?: readonly string[];
}

/** Emits the IR as a plain fp32 ONNX graph: input [N,C,H,W], output [N,classes]. */
export function writeFp32Onnx(model: IrModel, opts: OnnxWriteOptions): Uint8Array {
  const shapes = inferShapes(model);
  const g = new OnnxGraphBuilder(model.name);
  g.input(model.input.name, ['N', ...model.input.shape]);
  for (const node of model.nodes) {
    switch (node.kind) {
      case 'conv': {
        const inputs = [node.input, g.float(`${node.name}/W`, node.weightDims, node.weight)];
        if (node.bias) inputs.push(g.float(`${node.name}/B`, [node.bias.length], node.bias));
        const convOut = node.relu ? `${node.output}/preact` : node.output;
        g.node(
          'Conv',
          inputs,
          [convOut],
          {
            kernel_shape: [node.weightDims[2], node.weightDims[3]],
            strides: [...node.strides],
            pads: [...node.pads],
            group: node.group,
            dilations: [1, 1],
          },
          node.name,
        );
        if (node.relu) g.node('Relu', [convOut], [node.output], {}, `${node.name}/relu`);
        break;
      }
      case 'maxpool':
        g.node(
          'MaxPool',
          [node.input],
          [node.output],
          { kernel_shape: [...node.kernel], strides: [...node.strides], pads: [...node.pads] },
          node.name,
        );
        break;
      case 'add':
        g.node('Add', [...node.inputs], [node.output], {}, node.name);
        break;
      case 'relu':
        g.node('Relu', [node.input], [node.output], {}, node.name);
        break;
      case 'gap':
        g.node('GlobalAveragePool', [node.input], [`${node.output}/nchw`], {}, node.name);
        g.node('Flatten', [`${node.output}/nchw`], [node.output], { axis: 1 }, `${node.name}/flatten`);
        break;
      case 'softmax':
        g.node('Softmax', [node.input], [node.output], { axis: 1 }, node.name);
        break;
    }
  }
  g.output(model.output, ['N', ...(shapes.get(model.output) ?? [])]);
  for (const extra of opts.extraOutputs ?? []) g.output(extra, ['N', ...(shapes.get(extra) ?? [])]);
  return g.encode({
    opset: ONNX_OPSET,
    producerVersion: opts.producerVersion,
    docString: opts.docString,
    metadata: opts.metadata,
  });
}
