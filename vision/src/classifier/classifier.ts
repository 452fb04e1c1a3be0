import { existsSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { createCpuSession } from '../onnx-session';
import type { GrayImage } from '../image/gray-image';
import { loadManifest } from './manifest';
import { MODEL_INPUT_SIZE, SMALL_FACE_SHARPEN, toModelInput } from './model-input';
import { NUM_CLASSES } from './labels';
import { artifactPath } from '../model-files';

export type ModelVariant = 'fp32' | 'int8';

export interface EmotionClassifierOptions {
  variant?: ModelVariant;
  /** Overrides the committed artifact (e.g. a freshly trained model); modelId then names the file. */
  modelPath?: string;
  /** ONNX Runtime intra-op threads; default 1 (the device runs one inference loop per core). */
  threads?: number;
  /** Unsharp amount for crops under 48 px (see SMALL_FACE_SHARPEN); 0 turns it off. */
  smallFaceSharpen?: number;
}

/**
 * The id devices report next to every snapshot, e.g. `lectern-emotion-int8@0.2.0`: the same for the bundled
 * file and for the file of that release installed over the air.
 */
export function emotionModelId(name: string, variant: ModelVariant, version: string): string {
  return `${name}-${variant}@${version}`;
}

/** FER2013 7-class emotion classifier on ONNX Runtime (CPU). */
export class EmotionClassifier {
  private inputBuffer = new Float32Array(0);

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly inputName: string,
    private readonly outputName: string,
    readonly modelId: string,
    readonly version: string,
    readonly variant: ModelVariant | 'custom',
    private readonly smallFaceSharpen: number,
  ) {}

  static async create(opts: EmotionClassifierOptions = {}): Promise<EmotionClassifier> {
    const variant = opts.variant ?? 'int8';
    if (variant !== 'fp32' && variant !== 'int8')
      throw new Error(`unknown model variant "${String(variant)}" (use fp32 or int8)`);
    const path = opts.modelPath ?? artifactPath(variant);
    if (!existsSync(path)) {
      throw new Error(
        `emotion model not found at ${path}` +
          (opts.modelPath ? '' : ' (run `lectern-models build` to regenerate the artifacts)'),
      );
    }
    const session = await createCpuSession(path, opts.threads);
    const [inputName] = session.inputNames;
    const [outputName] = session.outputNames;
    if (!inputName || !outputName) throw new Error(`${path}: the model must have one input and one output`);
    let modelId: string;
    let version: string;
    if (opts.modelPath) {
      version = 'custom';
      modelId = `custom:${path}`;
    } else {
      const manifest = loadManifest();
      version = manifest.version;
      modelId = emotionModelId(manifest.name, variant, manifest.version);
    }
    const sharpen = opts.smallFaceSharpen ?? SMALL_FACE_SHARPEN.amount;
    if (!(sharpen >= 0 && Number.isFinite(sharpen))) throw new Error(`smallFaceSharpen must be >= 0, got ${sharpen}`);
    return new EmotionClassifier(
      session,
      inputName,
      outputName,
      modelId,
      version,
      opts.modelPath ? 'custom' : variant,
      sharpen,
    );
  }

  /** One softmax vector (FER2013 order) per face; all faces go through a single ORT run. */
  async classify(faces: readonly GrayImage[]): Promise<Float32Array[]> {
    if (faces.length === 0) return [];
    const n = faces.length;
    if (this.inputBuffer.length < n * MODEL_INPUT_SIZE * MODEL_INPUT_SIZE) {
      this.inputBuffer = new Float32Array(n * MODEL_INPUT_SIZE * MODEL_INPUT_SIZE);
    }
    const input = toModelInput(faces, this.inputBuffer, this.smallFaceSharpen);
    return this.run(input, n);
  }

  /** Runs an already packed NCHW batch (see toModelInput). */
  async run(input: Float32Array, n: number): Promise<Float32Array[]> {
    const tensor = new ort.Tensor('float32', input.subarray(0, n * MODEL_INPUT_SIZE * MODEL_INPUT_SIZE), [
      n,
      1,
      MODEL_INPUT_SIZE,
      MODEL_INPUT_SIZE,
    ]);
    const result = await this.session.run({ [this.inputName]: tensor });
    const output = result[this.outputName];
    if (!output) throw new Error(`model produced no ${this.outputName} output`);
    const data = output.data as Float32Array;
    if (data.length !== n * NUM_CLASSES) throw new Error(`model output has ${data.length} values for ${n} faces`);
    const probs = Array.from({ length: n }, (_, i) => data.slice(i * NUM_CLASSES, (i + 1) * NUM_CLASSES));
    output.dispose();
    return probs;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
