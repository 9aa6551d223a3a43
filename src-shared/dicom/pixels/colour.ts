// Colour models to interleaved RGB: planar configuration, YBR_FULL / YBR_PARTIAL (PS3.3 C.7.6.3.1.2),
// native YBR_FULL_422 / YBR_PARTIAL_422 (two Y, one Cb, one Cr per pair of pixels, PS3.5 8.2.?).
type Writable = { [i: number]: number; length: number };

function sameKind<T extends Writable>(like: T, length: number): T {
  const C = (like as unknown as { constructor: new (n: number) => T }).constructor;
  return new C(length);
}

/** RRR..GGG..BBB.. -> RGBRGB.. */
export function planarToInterleaved<T extends Writable>(planar: T, spp: number): T {
  const out = sameKind(planar, planar.length);
  const n = Math.floor(planar.length / spp);
  for (let s = 0; s < spp; s++) {
    const base = s * n;
    for (let i = 0; i < n; i++) out[i * spp + s] = planar[base + i]!;
  }
  return out;
}

/** Y1 Y2 Cb Cr per pixel pair -> Y Cb Cr per pixel (chroma repeated). */
export function expand422<T extends Writable>(packed: T, rows: number, columns: number): T {
  const out = sameKind(packed, rows * columns * 3);
  const pairsPerRow = Math.ceil(columns / 2);
  for (let r = 0; r < rows; r++) {
    for (let p = 0; p < pairsPerRow; p++) {
      const src = (r * pairsPerRow + p) * 4;
      const cb = packed[src + 2]!;
      const cr = packed[src + 3]!;
      for (let k = 0; k < 2; k++) {
        const c = p * 2 + k;
        if (c >= columns) break;
        const dst = (r * columns + c) * 3;
        out[dst] = packed[src + k]!;
        out[dst + 1] = cb;
        out[dst + 2] = cr;
      }
    }
  }
  return out;
}

/** YCbCr full range -> RGB, in place, for samples of `bits` bits. */
export function ybrFullToRgb<T extends Writable>(ybr: T, bits = 8): T {
  const max = 2 ** bits - 1;
  const half = 2 ** (bits - 1);
  for (let i = 0; i + 2 < ybr.length; i += 3) {
    const y = ybr[i];
    const cb = ybr[i + 1]! - half;
    const cr = ybr[i + 2]! - half;
    const r = Math.round(y! + 1.402 * cr);
    const g = Math.round(y! - 0.344136 * cb - 0.714136 * cr);
    const b = Math.round(y! + 1.772 * cb);
    ybr[i] = r < 0 ? 0 : r > max ? max : r;
    ybr[i + 1] = g < 0 ? 0 : g > max ? max : g;
    ybr[i + 2] = b < 0 ? 0 : b > max ? max : b;
  }
  return ybr;
}

/** YCbCr partial range (Y 16..235, C 16..240 at 8 bits) -> RGB, in place. */
export function ybrPartialToRgb<T extends Writable>(ybr: T, bits = 8): T {
  const max = 2 ** bits - 1;
  const scale = 2 ** (bits - 8);
  for (let i = 0; i + 2 < ybr.length; i += 3) {
    const y = ybr[i]! - 16 * scale;
    const cb = ybr[i + 1]! - 128 * scale;
    const cr = ybr[i + 2]! - 128 * scale;
    const r = Math.round(1.1644 * y + 1.596 * cr);
    const g = Math.round(1.1644 * y - 0.3917 * cb - 0.813 * cr);
    const b = Math.round(1.1644 * y + 2.0172 * cb);
    ybr[i] = r < 0 ? 0 : r > max ? max : r;
    ybr[i + 1] = g < 0 ? 0 : g > max ? max : g;
    ybr[i + 2] = b < 0 ? 0 : b > max ? max : b;
  }
  return ybr;
}

/** Irreversible colour transform inverse (ICT, JPEG 2000), for codestreams that did not apply it themselves. */
export function ictToRgb<T extends Writable>(ybr: T, bits = 8): T {
  return ybrFullToRgb(ybr, bits);
}

/** Reversible colour transform inverse (RCT, JPEG 2000 lossless), exact integer arithmetic. */
export function rctToRgb<T extends Writable>(yuv: T, bits = 8): T {
  const half = 2 ** (bits - 1);
  for (let i = 0; i + 2 < yuv.length; i += 3) {
    const y = yuv[i];
    const u = yuv[i + 1]! - half;
    const v = yuv[i + 2]! - half;
    const g = y! - Math.floor((u + v) / 4);
    yuv[i] = v + g;
    yuv[i + 1] = g;
    yuv[i + 2] = u + g;
  }
  return yuv;
}
