import { cropGray, resizeBilinear, type Box, type GrayImage } from '@lectern/vision';

/** How a synthetic lecture-hall frame is laid out. */
export interface SceneLayout {
  width: number;
  height: number;
  cols: number;
  rows: number;
  /** Side of an upscaled 48x48 face in scene pixels, before jitter. */
  faceSize: number;
  /** Relative size jitter (0.15 = +-15 %), so the detector sees several scales per frame. */
  sizeJitter: number;
  /**
   * Context added around each tight FER crop, as a share of its side: the crop is continued by edge
   * replication and feathered into the background, so the face does not end in a hard square edge
   * (Haar features straddle the face outline).
   */
  margin: number;
}

export const DEFAULT_SCENE: SceneLayout = {
  width: 960,
  height: 540,
  cols: 6,
  rows: 3,
  faceSize: 112,
  sizeJitter: 0.15,
  margin: 0.25,
};

export interface PlacedFace {
  /** Index into the faces passed to composeScene. */
  index: number;
  /** Where the 48x48 face itself landed (its margin excluded). */
  box: Box;
}

export interface AudienceScene {
  image: GrayImage;
  faces: PlacedFace[];
}

export function facesPerScene(layout: SceneLayout): number {
  return layout.cols * layout.rows;
}

/**
 * Rows of seats seen from the lectern: darker towards the back, a bright desk edge under every row, seat backs
 * as vertical stripes, plus low-contrast noise so the background is not a flat colour.
 */
export function lectureHallBackground(layout: SceneLayout, random: () => number): GrayImage {
  const { width, height, rows } = layout;
  const data = new Uint8Array(width * height);
  const rowHeight = height / rows;
  const seatWidth = width / (layout.cols * 2);
  for (let y = 0; y < height; y++) {
    const depth = y / height;
    const inRow = (y % rowHeight) / rowHeight;
    const desk = inRow > 0.86 ? 55 : inRow > 0.8 ? -25 : 0;
    for (let x = 0; x < width; x++) {
      const seat = Math.floor(x / seatWidth) % 2 === 0 ? 8 : -8;
      const noise = (random() - 0.5) * 24;
      data[y * width + x] = clampByte(70 + 50 * depth + desk + seat + noise);
    }
  }
  return { width, height, data };
}

/**
 * Places up to cols x rows faces, one per seat, upscaled with margins onto a lecture-hall background.
 * Each face keeps its true box so detections can be matched back to rows.
 */
export function composeScene(faces: readonly GrayImage[], layout: SceneLayout, random: () => number): AudienceScene {
  const capacity = facesPerScene(layout);
  if (faces.length > capacity)
    throw new Error(`a ${layout.cols}x${layout.rows} scene holds ${capacity} faces, got ${faces.length}`);
  const image = lectureHallBackground(layout, random);
  const cellW = layout.width / layout.cols;
  const cellH = layout.height / layout.rows;
  const placed: PlacedFace[] = [];
  faces.forEach((face, index) => {
    const col = index % layout.cols;
    const row = Math.floor(index / layout.cols);
    const size = Math.round(layout.faceSize * (1 + layout.sizeJitter * (2 * random() - 1)));
    const pad = Math.round(size * layout.margin);
    const outer = size + 2 * pad;
    const slackX = Math.max(0, cellW - outer);
    const slackY = Math.max(0, cellH - outer);
    const ox = Math.round(col * cellW + Math.max(0, (cellW - outer) / 2) + (random() - 0.5) * slackX);
    const oy = Math.round(row * cellH + Math.max(0, (cellH - outer) / 2) + (random() - 0.5) * slackY);
    pasteFeathered(image, withMargin(face, size, pad), ox, oy, pad);
    placed.push({ index, box: { x: ox + pad, y: oy + pad, width: size, height: size } });
  });
  return { image, faces: placed };
}

/** The face upscaled to `size`, continued by `pad` pixels of edge replication on every side. */
function withMargin(face: GrayImage, size: number, pad: number): GrayImage {
  const scaled = resizeBilinear(face, size, size);
  return cropGray(scaled, { x: -pad, y: -pad, width: size + 2 * pad, height: size + 2 * pad });
}

/** Alpha-blends `patch` at (x, y), fading linearly from opaque at the face to transparent at the patch edge. */
function pasteFeathered(dst: GrayImage, patch: GrayImage, x0: number, y0: number, pad: number): void {
  for (let y = 0; y < patch.height; y++) {
    const dy = y0 + y;
    if (dy < 0 || dy >= dst.height) continue;
    const edgeY = Math.min(y, patch.height - 1 - y);
    for (let x = 0; x < patch.width; x++) {
      const dx = x0 + x;
      if (dx < 0 || dx >= dst.width) continue;
      const edge = Math.min(edgeY, x, patch.width - 1 - x);
      const alpha = pad > 0 ? Math.min(1, edge / pad) : 1;
      const i = dy * dst.width + dx;
      dst.data[i] = Math.round(alpha * patch.data[y * patch.width + x]! + (1 - alpha) * dst.data[i]!);
    }
  }
}

function clampByte(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v)));
}
