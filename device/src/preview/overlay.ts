import { dominantOf } from '@lectern/protocol';
import { resizeBilinear, type Box, type GrayImage } from '@lectern/vision';
import { drawText, fillRect, GLYPH_H, strokeRect, textWidth } from './bitmap-font';

export interface PreviewFace {
  box: Box;
  trackId: number;
  /** Smoothed probabilities of the track; null when not classified (yet, or emotion off). */
  p: ArrayLike<number> | null;
}

/** Preview frames are at most this wide: enough to check framing, cheap to JPEG-encode on a Pi. */
const MAX_WIDTH = 960;

/** A downscaled copy of the frame with every face boxed and labelled "#id emotion pct". */
export function drawOverlay(frame: GrayImage, faces: readonly PreviewFace[], footer: string): GrayImage {
  const s = Math.min(1, MAX_WIDTH / frame.width);
  const img =
    s < 1
      ? resizeBilinear(frame, Math.round(frame.width * s), Math.round(frame.height * s))
      : { ...frame, data: Uint8Array.from(frame.data) };
  const scale = img.width >= 640 ? 2 : 1;
  for (const f of faces) {
    const x = f.box.x * s;
    const y = f.box.y * s;
    strokeRect(img, x, y, f.box.width * s, f.box.height * s, 255, 2);
    const label = `#${f.trackId} ${faceLabel(f.p)}`;
    const ly = Math.max(0, y - (GLYPH_H + 2) * scale);
    fillRect(img, x, ly, textWidth(label, scale) + 4, (GLYPH_H + 2) * scale, 0);
    drawText(img, label, x + 2, ly + scale, 255, scale);
  }
  const fy = img.height - (GLYPH_H + 4) * scale;
  fillRect(img, 0, fy, textWidth(footer, scale) + 6, (GLYPH_H + 4) * scale, 0);
  drawText(img, footer, 3, fy + 2 * scale, 255, scale);
  return img;
}

function faceLabel(p: ArrayLike<number> | null): string {
  if (!p) return '';
  const arr = Array.from(p);
  const top = dominantOf(arr);
  if (!top) return '';
  return `${top} ${Math.round(Math.max(...arr) * 100)}%`;
}
