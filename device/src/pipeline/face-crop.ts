import { cropGray, expandBox, type Box, type GrayImage } from '../image/gray-image';

/**
 * Margin around the Haar box (share of the box side, each side) that matches FER2013 framing.
 * Measured with `lectern-device eval --margins` on PublicTest scenes; see docs/metrics.md.
 */
export const DEFAULT_CROP_MARGIN = 0.1;

/** Square face crop with edge replication where the margin leaves the frame. */
export function cropFace(img: GrayImage, box: Box, margin = DEFAULT_CROP_MARGIN): GrayImage {
  return cropGray(img, expandBox(box, margin));
}
