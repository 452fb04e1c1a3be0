import type { GrayImage } from '../image/gray-image';

/** What the pipeline needs from the emotion classifier (EmotionClassifier fits). */
export interface EmotionModel {
  readonly modelId: string;
  readonly version: string;
  classify(faces: readonly GrayImage[]): Promise<Float32Array[]>;
  close(): Promise<void>;
}
