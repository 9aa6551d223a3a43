// npm run icons — draws Enclave's icon in code (no source image to lose) and writes every size the
// installers need: assets/icons/<N>x<N>.png (Linux, AppImage/deb), icon.ico (Windows: MSI, NSIS) and
// icon.icns (macOS), the .ico and .icns holding PNGs as both formats allow. The drawing is a rounded
// navy square with a white ring (a scanner's bore, a lens) around a cyan slice: private imaging.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

export const ICON_DIR = fileURLToPath(new URL('../assets/icons', import.meta.url));
export const PNG_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
/** ICNS element types holding PNG data, by size. */
const ICNS_TYPES: [string, number][] = [['icp4', 16], ['icp5', 32], ['icp6', 64], ['ic07', 128], ['ic08', 256], ['ic09', 512], ['ic10', 1024]];

type Rgba = [number, number, number, number];

/** The icon at a point of the unit square (0..1, y down). */
function paint(x: number, y: number): Rgba {
  const cx = x - 0.5;
  const cy = y - 0.5;
  // Rounded square, corner radius 0.2, inset 0.04 so the shape breathes on every platform's mask.
  const half = 0.46;
  const r = 0.2;
  const qx = Math.abs(cx) - (half - r);
  const qy = Math.abs(cy) - (half - r);
  const box = Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
  if (box > 0) return [0, 0, 0, 0];
  const d = Math.hypot(cx, cy);
  if (d > 0.27 && d < 0.34) return [245, 248, 252, 255];
  // A slice through the bore: a tilted band, clipped to the inner disc.
  if (d < 0.2 && Math.abs(cx * 0.5 + cy * 0.866) < 0.06) return [64, 210, 230, 255];
  if (d < 0.2) return [30, 92, 150, 255];
  const t = (cy + 0.5) * 0.8; // a gentle vertical gradient
  return [Math.round(11 + 10 * t), Math.round(42 + 30 * t), Math.round(74 + 40 * t), 255];
}

/** Renders `size`x`size` with 4x4 supersampling (antialiased edges, exact for any size). */
export function renderIcon(size: number): Buffer {
  const png = new PNG({ width: size, height: size });
  const s = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const acc = [0, 0, 0, 0];
      for (let sy = 0; sy < s; sy++) {
        for (let sx = 0; sx < s; sx++) {
          const [r, g, b, a] = paint((px + (sx + 0.5) / s) / size, (py + (sy + 0.5) / s) / size);
          acc[0]! += r * a;
          acc[1]! += g * a;
          acc[2]! += b * a;
          acc[3]! += a;
        }
      }
      const i = (py * size + px) * 4;
      const alpha = acc[3]! / (s * s);
      for (let c = 0; c < 3; c++) png.data[i + c] = alpha > 0 ? Math.round(acc[c]! / acc[3]!) : 0;
      png.data[i + 3] = Math.round(alpha);
    }
  }
  return PNG.sync.write(png);
}

/** A Windows .ico whose entries are PNGs (Vista and later). */
export function ico(pngs: Map<number, Buffer>): Buffer {
  const sizes = ICO_SIZES.filter((s) => pngs.has(s));
  const header = Buffer.alloc(6 + 16 * sizes.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // 1 = icon
  header.writeUInt16LE(sizes.length, 4);
  let offset = header.length;
  sizes.forEach((size, k) => {
    const data = pngs.get(size)!;
    const e = 6 + 16 * k;
    header.writeUInt8(size >= 256 ? 0 : size, e); // 0 means 256
    header.writeUInt8(size >= 256 ? 0 : size, e + 1);
    header.writeUInt16LE(1, e + 4); // planes
    header.writeUInt16LE(32, e + 6); // bits per pixel
    header.writeUInt32LE(data.length, e + 8);
    header.writeUInt32LE(offset, e + 12);
    offset += data.length;
  });
  return Buffer.concat([header, ...sizes.map((s) => pngs.get(s)!)]);
}

/** A macOS .icns of PNG elements. */
export function icns(pngs: Map<number, Buffer>): Buffer {
  const elements = ICNS_TYPES.filter(([, size]) => pngs.has(size)).map(([type, size]) => {
    const data = pngs.get(size)!;
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([head, data]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'latin1');
  head.writeUInt32BE(8 + elements.reduce((n, e) => n + e.length, 0), 4);
  return Buffer.concat([head, ...elements]);
}

export function iconFiles(): Record<string, Buffer> {
  const pngs = new Map(PNG_SIZES.map((s) => [s, renderIcon(s)]));
  const files: Record<string, Buffer> = {};
  for (const [size, data] of pngs) files[`${size}x${size}.png`] = data;
  files['icon.ico'] = ico(pngs);
  files['icon.icns'] = icns(pngs);
  files['icon.png'] = pngs.get(512)!; // electron-builder's default name
  return files;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  mkdirSync(ICON_DIR, { recursive: true });
  for (const [name, data] of Object.entries(iconFiles())) writeFileSync(path.join(ICON_DIR, name), data);
  console.log(`icons written to ${path.relative(process.cwd(), ICON_DIR)}`);
}
