import type { GrayImage } from '../../image/gray-image';

/**
 * Global histogram equalisation (the same mapping as cv.equalizeHist), in TypeScript so both plugins
 * detect on identical pixels. Stretches a dim or washed-out hall so Haar's contrast features fire.
 */
export function equalizeGray(img: GrayImage): GrayImage {
  const hist = new Uint32Array(256);
  for (let i = 0; i < img.data.length; i++) hist[img.data[i]!]!++;
  let first = 0;
  while (first < 255 && hist[first] === 0) first++;
  const total = img.data.length;
  const lut = new Uint8Array(256);
  if (hist[first] === total) {
    lut.fill(img.data[0] ?? 0);
  } else {
    const scale = 255 / (total - hist[first]!);
    let sum = 0;
    for (let v = first + 1; v < 256; v++) {
      sum += hist[v]!;
      lut[v] = Math.round(sum * scale);
    }
  }
  const data = new Uint8Array(total);
  for (let i = 0; i < total; i++) data[i] = lut[img.data[i]!]!;
  return { width: img.width, height: img.height, data };
}
