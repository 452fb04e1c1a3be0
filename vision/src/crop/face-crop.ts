import { cropGray, expandBox, type Box, type GrayImage } from '../image/gray-image';

/**
 * Margin around the Haar box (share of the box side, each side) that matches FER2013 framing: the Haar
 * box is already FER's framing (box side = 0.97 x FER image side), and accuracy falls with any margin
 * beyond +-0.05. Measured with `lectern-lab margins` on FER2013 PublicTest and a real clip; see
 * docs/metrics.md.
 */
export const DEFAULT_CROP_MARGIN = 0;

/** Square face crop with edge replication where the margin leaves the frame. */
export function cropFace(img: GrayImage, box: Box, margin = DEFAULT_CROP_MARGIN): GrayImage {
  return cropGray(img, expandBox(box, margin));
}
