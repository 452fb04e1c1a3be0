import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { tfjsGraphToIr } from '../convert/tfjs-graph-to-ir';
import { modelCost } from '../ir/ir';
import { writeFp32Onnx } from '../onnx/write-fp32';
import { locateSourceModel } from '../source-model';
import { readTfjsGraphModel } from '../tfjs/graph-model-files';

export function registerConvertCommand(program: Command): void {
  program
    .command('convert')
    .description('convert a TF.js graph model (model.json + shards) to fp32 ONNX (opset 13)')
    .option('--model <model.json>', 'TF.js graph model (default: @vladmandic/human models/emotion.json)')
    .option('--weights <file.bin>', "weights replacing the model's shards (e.g. models/weights/*.bin, fine-tuned)")
    .requiredOption('--out <file.onnx>', 'output ONNX file')
    .action((o: { model?: string; weights?: string; out: string }) => {
      const modelJson = o.model ?? locateSourceModel().modelJson;
      const ir = tfjsGraphToIr(readTfjsGraphModel(modelJson, o.weights), 'converted');
      writeFileSync(o.out, writeFp32Onnx(ir, { producerVersion: 'convert', docString: `converted from ${modelJson}` }));
      const cost = modelCost(ir);
      process.stdout.write(
        `wrote ${o.out}: ${ir.nodes.length} ops, ${cost.parameters} parameters, ${cost.macs} MACs per image\n`,
      );
    });
}
