// Draws watermark text into an RGBA image: white glyphs with a dark outline, so it reads on any background.
import { glyph, GLYPH_HEIGHT, GLYPH_WIDTH } from './bitmapFont';

export interface RgbaImage {
  width: number;
  height: number;
  /** width * height * 4 bytes, RGBA. */
  data: Uint8Array;
}

function setPixel(img: RgbaImage, x: number, y: number, v: number): void {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
  const o = (y * img.width + x) * 4;
  img.data[o] = v;
  img.data[o + 1] = v;
  img.data[o + 2] = v;
  img.data[o + 3] = 255;
}

function drawText(img: RgbaImage, text: string, x0: number, y0: number, scale: number, value: number, dilate: number): void {
  let x = x0;
  for (const ch of text) {
    const rows = glyph(ch);
    for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
      for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
        if (!(((rows[gy] ?? 0) >> (GLYPH_WIDTH - 1 - gx)) & 1)) continue;
        for (let sy = -dilate; sy < scale + dilate; sy++) for (let sx = -dilate; sx < scale + dilate; sx++) setPixel(img, x + gx * scale + sx, y0 + gy * scale + sy, value);
      }
    }
    x += (GLYPH_WIDTH + 1) * scale;
  }
}

/** Scale that keeps the longest line within the image width (at least 1). */
export function watermarkScale(img: RgbaImage, lines: readonly string[]): number {
  const longest = Math.max(1, ...lines.map((l) => l.length));
  const fit = Math.floor((img.width - 8) / (longest * (GLYPH_WIDTH + 1)));
  return Math.max(1, Math.min(fit, Math.max(1, Math.round(img.width / 256))));
}

/** Lines are drawn top to bottom in the lower-left corner. Returns the box drawn (for tests). */
export function drawWatermark(img: RgbaImage, lines: readonly string[]): { x: number; y: number; width: number; height: number; scale: number } {
  const scale = watermarkScale(img, lines);
  const lineH = (GLYPH_HEIGHT + 3) * scale;
  const x = 4 * scale;
  const y = img.height - lines.length * lineH - 2 * scale;
  lines.forEach((l, i) => drawText(img, l, x, y + i * lineH, scale, 0, Math.max(1, Math.floor(scale / 2))));
  lines.forEach((l, i) => drawText(img, l, x, y + i * lineH, scale, 255, 0));
  const width = Math.max(...lines.map((l) => l.length)) * (GLYPH_WIDTH + 1) * scale;
  return { x, y, width, height: lines.length * lineH, scale };
}
