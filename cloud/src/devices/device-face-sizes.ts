import { FACE_SIZE_BINS_PX } from '@lectern/protocol';
import type { DeviceFaceSizes } from '../api/contract';
import type { FaceSizes } from '../db/entities';

/** The installer's view of a device's face-size histogram (see DeviceFaceSizes for how tooSmall is counted). */
export function deviceFaceSizesOf(sizes: FaceSizes): DeviceFaceSizes {
  let faces = 0;
  let tooSmall = 0;
  sizes.counts.forEach((n, bin) => {
    faces += n;
    const end = FACE_SIZE_BINS_PX[bin + 1];
    if (end !== undefined && end <= sizes.minReadablePx) tooSmall += n;
  });
  return { counts: [...sizes.counts], faces, tooSmall, minReadablePx: sizes.minReadablePx };
}
