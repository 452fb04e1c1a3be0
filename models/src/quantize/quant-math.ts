/** uint8 affine quantization parameters of an activation tensor. */
export interface ActivationQuant {
  scale: number;
  zeroPoint: number;
}

/** Range always contains 0 (so zero padding is exact); a range starting at 0 gets zero point 0. */
export function activationQuant(min: number, max: number): ActivationQuant {
  const lo = Math.min(0, min);
  const hi = Math.max(0, max, lo + 1e-6);
  const scale = Math.fround((hi - lo) / 255);
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-lo / scale)));
  return { scale, zeroPoint };
}

export interface WeightQuant {
  data: Int8Array;
  /** One scale per output channel. */
  scales: Float32Array;
}

/** Symmetric per-output-channel int8 quantization limited to ±qmax (63 for 7-bit, 127 for 8-bit). */
export function quantizeWeightsPerChannel(
  weight: Float32Array,
  outChannels: number,
  qmax: number,
  clipSearch = false,
): WeightQuant {
  const per = weight.length / outChannels;
  const data = new Int8Array(weight.length);
  const scales = new Float32Array(outChannels);
  const squaredError = (start: number, scale: number): number => {
    let e = 0;
    for (let i = start; i < start + per; i++) {
      const w = weight[i] ?? 0;
      const d = w - Math.max(-qmax, Math.min(qmax, Math.round(w / scale))) * scale;
      e += d * d;
    }
    return e;
  };
  for (let o = 0; o < outChannels; o++) {
    let absMax = 0;
    for (let i = o * per; i < (o + 1) * per; i++) absMax = Math.max(absMax, Math.abs(weight[i] ?? 0));
    let scale = absMax > 0 ? absMax / qmax : 1;
    if (clipSearch && absMax > 0) {
      // Clipping a few outliers can buy finer steps for all other weights.
      let best = squaredError(o * per, scale);
      for (let k = 1; k <= 30; k++) {
        const candidate = (absMax * (1 - k / 100)) / qmax;
        const e = squaredError(o * per, candidate);
        if (e < best) {
          best = e;
          scale = candidate;
        }
      }
    }
    scales[o] = scale;
    const s = scales[o] ?? 1;
    for (let i = o * per; i < (o + 1) * per; i++)
      data[i] = Math.max(-qmax, Math.min(qmax, Math.round((weight[i] ?? 0) / s)));
  }
  return { data, scales };
}

/** int32 bias with scale = input scale x weight scale, as QLinearConv requires. */
export function quantizeBias(
  bias: Float32Array,
  inputScale: number,
  weightScales: Float32Array,
): { data: Int32Array; scales: Float32Array } {
  const scales = weightScales.map((ws) => Math.fround(inputScale * ws));
  const data = new Int32Array(bias.length);
  for (let o = 0; o < bias.length; o++) data[o] = Math.round((bias[o] ?? 0) / (scales[o] ?? 1));
  return { data, scales };
}
