import { dominantOf } from '@lectern/protocol';
import { resizeBilinear, type Box, type GrayImage } from '@lectern/vision';
import { dashedRect, drawText, fillRect, GLYPH_H, strokeRect, textWidth } from './bitmap-font';

export interface PreviewFace {
  box: Box;
  trackId: number;
  /** The box's longer side in frame pixels (before the preview's own downscale). */
  sizePx: number;
  /** At least the readable size: classified when emotion inference is on. */
  readable: boolean;
  /** Smoothed probabilities of the track; null when not classified (yet, or emotion off). */
  p: ArrayLike<number> | null;
}

/** Preview frames are at most this wide: enough to check framing, cheap to JPEG-encode on a Pi. */
const MAX_WIDTH = 960;

/** Faces too small to read are drawn in this gray, dashed; read ones in white, solid. */
const UNREAD_SHADE = 150;

/**
 * A downscaled copy of the frame with every face boxed and labelled "#id emotion pct size": read faces in a
 * solid white box, faces too small to read in a dashed gray one tagged "small", so an installer sees at a
 * glance which rows the camera cannot read.
 */
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
    const shade = f.readable ? 255 : UNREAD_SHADE;
    if (f.readable) strokeRect(img, x, y, f.box.width * s, f.box.height * s, shade, 2);
    else dashedRect(img, x, y, f.box.width * s, f.box.height * s, shade, 2);
    const what = f.readable ? faceLabel(f.p) : 'small';
    // Floored, so a "small" face never shows the readable size itself (15.6 px would round to 16).
    const label = `#${f.trackId} ${what ? `${what} ` : ''}${Math.floor(f.sizePx)}px`;
    // Unread faces are typically the many small ones at the back: smaller labels keep the read ones legible.
    const ls = f.readable ? scale : 1;
    const ly = Math.max(0, y - (GLYPH_H + 2) * ls);
    fillRect(img, x, ly, textWidth(label, ls) + 4, (GLYPH_H + 2) * ls, 0);
    drawText(img, label, x + 2, ly + ls, shade, ls);
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
