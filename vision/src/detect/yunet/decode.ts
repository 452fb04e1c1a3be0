/** The three detection heads, in the order of the model's outputs cls_8/16/32 etc. */
export const YUNET_STRIDES = [8, 16, 32] as const;

/** Values per candidate in Candidates.data: x, y, w, h, 5 x (lx, ly), score. */
export const CANDIDATE_STRIDE = 15;

/** Raw candidates in network-input pixels, packed to avoid an object per grid cell; grows, never shrinks. */
export class Candidates {
  data = new Float32Array(CANDIDATE_STRIDE * 256);
  count = 0;

  reset(): void {
    this.count = 0;
  }

  push(): number {
    if ((this.count + 1) * CANDIDATE_STRIDE > this.data.length) {
      const bigger = new Float32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    return this.count++ * CANDIDATE_STRIDE;
  }
}

/** One stride's head outputs, each [1, rows*cols, n] row-major as the libfacedetection.train export emits them. */
export interface StrideOutputs {
  cls: Float32Array;
  obj: Float32Array;
  bbox: Float32Array;
  kps: Float32Array;
}

/**
 * Decodes one stride like OpenCV's FaceDetectorYN (face_detect.cpp, 4.8+): the export is anchor-free, one
 * prediction per grid cell. cls and obj are already sigmoid outputs but are clamped to [0, 1] before the
 * geometric mean because OpenCV does so; box centre and landmarks are offsets in cells from the cell's
 * top-left corner, box size is log(size / stride). Cells scoring below `threshold` are skipped before
 * anything else is computed: almost all of a frame is background.
 */
export function decodeStride(
  out: StrideOutputs,
  stride: number,
  padW: number,
  padH: number,
  threshold: number,
  into: Candidates,
): void {
  const cols = padW / stride;
  const rows = padH / stride;
  const n = rows * cols;
  if (out.cls.length < n || out.obj.length < n || out.bbox.length < 4 * n || out.kps.length < 10 * n)
    throw new Error(`yunet: stride ${stride} outputs are smaller than its ${rows}x${cols} grid`);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const idx = r * cols + c;
      const cls = Math.min(1, Math.max(0, out.cls[idx]!));
      const obj = Math.min(1, Math.max(0, out.obj[idx]!));
      const score = Math.sqrt(cls * obj);
      if (score < threshold) continue;
      const b = idx * 4;
      const cx = (c + out.bbox[b]!) * stride;
      const cy = (r + out.bbox[b + 1]!) * stride;
      const w = Math.exp(out.bbox[b + 2]!) * stride;
      const h = Math.exp(out.bbox[b + 3]!) * stride;
      const o = into.push();
      const d = into.data;
      d[o] = cx - w / 2;
      d[o + 1] = cy - h / 2;
      d[o + 2] = w;
      d[o + 3] = h;
      const k = idx * 10;
      for (let p = 0; p < 5; p++) {
        d[o + 4 + 2 * p] = (out.kps[k + 2 * p]! + c) * stride;
        d[o + 5 + 2 * p] = (out.kps[k + 2 * p + 1]! + r) * stride;
      }
      d[o + 14] = score;
    }
  }
}
