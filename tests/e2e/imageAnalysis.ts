// Reads what the user actually sees: a PNG screenshot, reduced to grey levels and blob centroids.
import { PNG } from 'pngjs';

export interface Grey { width: number; height: number; at(x: number, y: number): number }

export function decodeGrey(png: Buffer): Grey {
  const img = PNG.sync.read(png);
  return {
    width: img.width,
    height: img.height,
    at: (x, y) => {
      const i = (y * img.width + x) * 4;
      return (img.data[i]! + img.data[i + 1]! + img.data[i + 2]!) / 3;
    },
  };
}

export interface Blob { count: number; cx: number; cy: number; minX: number; maxX: number; minY: number; maxY: number }

export function blob(img: Grey, keep: (v: number, x: number, y: number) => boolean): Blob {
  let count = 0, sx = 0, sy = 0, minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      if (!keep(img.at(x, y), x, y)) continue;
      count++; sx += x; sy += y;
      minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y);
    }
  }
  return { count, cx: sx / count, cy: sy / count, minX, maxX, minY, maxY };
}

export function meanIn(img: Grey, x0: number, y0: number, r: number): number {
  let s = 0, n = 0;
  for (let y = Math.round(y0 - r); y <= Math.round(y0 + r); y++) {
    for (let x = Math.round(x0 - r); x <= Math.round(x0 + r); x++) { s += img.at(x, y); n++; }
  }
  return s / n;
}
