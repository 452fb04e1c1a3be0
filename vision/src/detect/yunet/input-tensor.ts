import type { GrayImage } from '../../image/gray-image';

/** YuNet's three strides; the input's height and width must be multiples of the largest. */
export const YUNET_DIVISOR = 32;

/** Where the detection image comes from in the frame, and how big it is after scaling and padding. */
export interface InputGeometry {
  /** Source region (integer pixels) that is scaled into the network input. */
  srcX: number;
  srcY: number;
  srcW: number;
  srcH: number;
  /** The scaled region's size: network pixel (0,0)..(outW,outH) covers the source region. */
  outW: number;
  outH: number;
  /** outW and outH rounded up to a multiple of 32; the rest is zero padding (bottom/right, as OpenCV pads). */
  padW: number;
  padH: number;
}

export function inputGeometry(
  frameW: number,
  frameH: number,
  roi: { x: number; y: number; w: number; h: number } | null,
  scale: number,
): InputGeometry {
  let srcX = 0;
  let srcY = 0;
  let srcW = frameW;
  let srcH = frameH;
  if (roi) {
    srcX = Math.min(frameW - 1, Math.max(0, Math.round(roi.x * frameW)));
    srcY = Math.min(frameH - 1, Math.max(0, Math.round(roi.y * frameH)));
    srcW = Math.max(1, Math.min(frameW - srcX, Math.round(roi.w * frameW)));
    srcH = Math.max(1, Math.min(frameH - srcY, Math.round(roi.h * frameH)));
  }
  const outW = Math.max(1, Math.round(srcW * scale));
  const outH = Math.max(1, Math.round(srcH * scale));
  const pad = (n: number): number => Math.ceil(n / YUNET_DIVISOR) * YUNET_DIVISOR;
  return { srcX, srcY, srcW, srcH, outW, outH, padW: pad(outW), padH: pad(outH) };
}

/**
 * One axis of a separable resampling: output sample i is sum_k weight[i*taps+k] * src[index[i*taps+k]].
 * Upscaling uses bilinear taps with half-pixel centres (as OpenCV's INTER_LINEAR and resizeBilinear do);
 * downscaling averages the covered source pixels (INTER_AREA), because bilinear taps skip pixels and alias
 * the high-frequency texture a small face is made of.
 */
interface AxisTaps {
  taps: number;
  index: Int32Array;
  weight: Float32Array;
}

function axisTaps(srcOffset: number, srcLen: number, outLen: number): AxisTaps {
  const ratio = srcLen / outLen;
  if (ratio <= 1) {
    const index = new Int32Array(outLen * 2);
    const weight = new Float32Array(outLen * 2);
    for (let i = 0; i < outLen; i++) {
      const f = Math.min(Math.max((i + 0.5) * ratio - 0.5, 0), srcLen - 1);
      const i0 = Math.floor(f);
      const w = f - i0;
      index[2 * i] = srcOffset + i0;
      index[2 * i + 1] = srcOffset + Math.min(i0 + 1, srcLen - 1);
      weight[2 * i] = 1 - w;
      weight[2 * i + 1] = w;
    }
    return { taps: 2, index, weight };
  }
  // The most source pixels one output pixel overlaps (ratio 2 -> 2, ratio 1.5 -> 3).
  let taps = 1;
  for (let i = 0; i < outLen; i++) {
    const a = i * ratio;
    taps = Math.max(taps, Math.min(srcLen, Math.ceil(a + ratio)) - Math.floor(a));
  }
  const index = new Int32Array(outLen * taps);
  const weight = new Float32Array(outLen * taps);
  for (let i = 0; i < outLen; i++) {
    const a = i * ratio;
    const b = a + ratio;
    let k = 0;
    for (let s = Math.floor(a); s < Math.min(srcLen, Math.ceil(b)) && k < taps; s++, k++) {
      index[i * taps + k] = srcOffset + s;
      weight[i * taps + k] = (Math.min(b, s + 1) - Math.max(a, s)) / ratio;
    }
    // Unused taps keep weight 0 and point at a valid pixel.
    for (; k < taps; k++) index[i * taps + k] = srcOffset;
  }
  return { taps, index, weight };
}

/**
 * Fills YuNet's NCHW float32 input from a gray frame: region of interest, scale and bottom/right zero padding
 * in one pass, gray replicated into the B, G and R planes, values 0..255 as the network was trained (OpenCV's
 * blobFromImage with no mean or scale). The buffers and resampling tables depend only on the geometry, so
 * frames of one size reuse them; nothing derived from pixel values is kept between calls.
 */
export class InputTensorBuilder {
  private key = '';
  private xTaps: AxisTaps | null = null;
  private yTaps: AxisTaps | null = null;
  private rows = new Float32Array(0);
  private tensor = new Float32Array(0);

  /** The filled tensor (length 3*padH*padW); valid until the next call. */
  build(img: GrayImage, g: InputGeometry): Float32Array {
    if (img.data.length !== img.width * img.height || img.width <= 0 || img.height <= 0)
      throw new Error(`yunet: invalid gray image ${img.width}x${img.height} with ${img.data.length} pixels`);
    const key = `${img.width}x${img.height}:${g.srcX},${g.srcY},${g.srcW},${g.srcH}:${g.outW}x${g.outH}`;
    if (key !== this.key) this.prepare(key, g);
    const { outW, outH, padW, padH, srcH } = g;
    const plane = padW * padH;
    const t = this.tensor;
    if (g.outW === g.srcW && g.outH === g.srcH) {
      // scale 1: a straight copy of the region, no resampling.
      for (let y = 0; y < outH; y++) {
        const src = (g.srcY + y) * img.width + g.srcX;
        const dst = y * padW;
        for (let x = 0; x < outW; x++) t[dst + x] = img.data[src + x]!;
      }
    } else {
      const xt = this.xTaps!;
      const yt = this.yTaps!;
      // Horizontal pass over every region row, then vertical pass into the B plane.
      const rows = this.rows;
      for (let y = 0; y < srcH; y++) {
        const src = (g.srcY + y) * img.width;
        const dst = y * outW;
        for (let x = 0; x < outW; x++) {
          let acc = 0;
          const o = x * xt.taps;
          for (let k = 0; k < xt.taps; k++) acc += xt.weight[o + k]! * img.data[src + xt.index[o + k]!]!;
          rows[dst + x] = acc;
        }
      }
      for (let y = 0; y < outH; y++) {
        const dst = y * padW;
        const o = y * yt.taps;
        for (let x = 0; x < outW; x++) {
          let acc = 0;
          for (let k = 0; k < yt.taps; k++) acc += yt.weight[o + k]! * rows[yt.index[o + k]! * outW + x]!;
          // Round as an 8-bit resize would, so scale 1 and a pre-resized frame give the same input.
          t[dst + x] = Math.round(acc);
        }
      }
    }
    // G and R planes are copies of B: the frames are gray.
    t.copyWithin(plane, 0, plane);
    t.copyWithin(2 * plane, 0, plane);
    return t;
  }

  private prepare(key: string, g: InputGeometry): void {
    const size = 3 * g.padW * g.padH;
    // A fresh (zeroed) buffer whenever the geometry changes: the padding is never written afterwards.
    this.tensor = new Float32Array(size);
    this.xTaps = axisTaps(g.srcX, g.srcW, g.outW);
    // Vertical taps index rows of the horizontally resampled region (0-based), not frame rows.
    this.yTaps = axisTaps(0, g.srcH, g.outH);
    this.rows = new Float32Array(g.srcH * g.outW);
    this.key = key;
  }
}
