import type * as tfjs from '@tensorflow/tfjs';
import { layersModelToIr } from '../convert/layers-model-to-ir';
import { LABELS } from '@lectern/vision';
import { writeFp32Onnx } from '../onnx/write-fp32';
import { PREPROCESSING } from '../build/convert-source';

/** fp32 ONNX of a trained layers model, through the same IR and writer as the converted model. */
export function exportLayersModelToOnnx(model: tfjs.LayersModel, version = 'trained'): Uint8Array {
  const ir = layersModelToIr(model, 'lectern-emotion-trained');
  return writeFp32Onnx(ir, {
    producerVersion: version,
    docString: 'FER2013 7-class facial expression CNN (mini-Xception) trained by lectern-models train',
    metadata: { labels: LABELS.join(','), preprocessing: PREPROCESSING, variant: 'fp32' },
  });
}
