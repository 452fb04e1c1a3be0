// Draws the PWA icons in web/public/icons from the brand mark (styles.css `.brand-mark`: an amber
// rounded square, 135deg #f2b134 -> #e67e22) with the favicon's dark "L".
// Run once after changing the mark: `node cloud/web/scripts/make-icons.mjs`; the PNGs are committed, so the
// build needs neither this script nor pngjs (a transitive dependency of qrcode).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { PNG } = require('pngjs');

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'icons');
const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
const FROM = hex('#f2b134');
const TO = hex('#e67e22');
const INK = hex('#0f1623');

// Geometry in the favicon's 32-unit space.
const insideRounded = (x, y, r) => {
  if (x < 0 || y < 0 || x > 32 || y > 32) return false;
  const cx = Math.min(Math.max(x, r), 32 - r);
  const cy = Math.min(Math.max(y, r), 32 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};
// The favicon's path `M9 8v16h14` stroked 4 wide: a vertical and a horizontal bar meeting in a mitred corner.
const insideL = (x, y) => (x >= 7 && x <= 11 && y >= 8 && y <= 26) || (x >= 7 && x <= 23 && y >= 22 && y <= 26);

/** One sample: [r, g, b, a] in 0..1 space for colour channels 0..255. */
function sample(x, y, maskable) {
  if (maskable) {
    // Full bleed (the launcher cuts its own shape); the mark's content shrunk into the 80% safe circle.
    const s = 0.78;
    const lx = 16 + (x - 16) / s;
    const ly = 16 + (y - 16) / s + 1;
    if (insideL(lx, ly)) return [...INK, 1];
    return [...mix(FROM, TO, (x + y) / 64), 1];
  }
  if (!insideRounded(x, y, 8)) return [0, 0, 0, 0];
  if (insideL(x, y)) return [...INK, 1];
  // The mark's inset shading is left out: at icon sizes it reads as a dark slab, not depth.
  return [...mix(FROM, TO, (x + y) / 64), 1];
}

function mix(a, b, t) {
  return a.map((v, i) => v + (b[i] - v) * t);
}

function draw(size, maskable) {
  const png = new PNG({ width: size, height: size });
  const n = 4; // 4x4 supersampling for smooth edges
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = ((px + (sx + 0.5) / n) / size) * 32;
          const y = ((py + (sy + 0.5) / n) / size) * 32;
          const [sr, sg, sb, sa] = sample(x, y, maskable);
          r += sr * sa;
          g += sg * sa;
          b += sb * sa;
          a += sa;
        }
      }
      const i = (py * size + px) * 4;
      png.data[i] = a ? Math.round(r / a) : 0;
      png.data[i + 1] = a ? Math.round(g / a) : 0;
      png.data[i + 2] = a ? Math.round(b / a) : 0;
      png.data[i + 3] = Math.round((a / (n * n)) * 255);
    }
  }
  return PNG.sync.write(png);
}

mkdirSync(out, { recursive: true });
for (const [name, size, maskable] of [
  ['icon-192.png', 192, false],
  ['icon-512.png', 512, false],
  ['maskable-192.png', 192, true],
  ['maskable-512.png', 512, true],
  ['apple-touch-icon.png', 180, true],
]) {
  writeFileSync(join(out, name), draw(size, maskable));
  console.log(`wrote ${join(out, name)}`);
}
