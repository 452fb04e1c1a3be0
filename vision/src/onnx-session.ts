import * as ort from 'onnxruntime-node';

/**
 * One ONNX Runtime CPU session as the edge agent runs it: `threads` intra-op threads (default 1: the device runs
 * one inference loop per core), no inter-op parallelism, every graph optimisation (fuses the int8 QDQ pairs into
 * QLinearConv).
 */
export async function createCpuSession(path: string, threads = 1): Promise<ort.InferenceSession> {
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`threads must be a positive integer, got ${threads}`);
  return ort.InferenceSession.create(path, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
}
