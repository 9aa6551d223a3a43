// Sequential Huffman DCT JPEG (processes 1, 2 and 4: baseline and extended, 8- and 12-bit).
// libjpeg-turbo-8bit cannot decode 12-bit extended JPEG (common in CT archives), so this is the
// decoder for those. The IDCT is the IJG "islow" integer algorithm, done in exact arithmetic,
// so results match IJG-based decoders (dcmtk's dcmdjpeg) sample for sample on greyscale data.
import { AppError } from '../../errors';
import type { CodecOutput, ExpectedFrame } from '../codecs/codecTypes';
import { checkAgainstDicom } from './codestreamHeader';
import { extend, JpegBitReader, nextMarker, nextSegment, readHuffmanTables, type HuffmanTable } from './jpegHuffman';

const ZIGZAG = new Int32Array([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
  28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61,
  54, 47, 55, 62, 63,
]);

/** Coefficient storage cap: 4 Mi blocks of 64 16-bit coefficients = 512 MiB (a 16k x 16k greyscale frame). */
const MAX_BLOCKS = 4 * 1024 * 1024;

interface Component {
  id: number;
  h: number;
  v: number;
  tq: number;
  blocksPerLine: number;
  blocksPerColumn: number;
  /** 16-bit like IJG's JCOEF (short), so an out-of-range coefficient wraps as it does there. */
  coefficients: Int16Array;
  pred: number;
  dcTable: number;
  acTable: number;
}

function fail(msg: string): never {
  throw new AppError('DICOM_DECODE', `JPEG: ${msg}`);
}

// IJG jidctint.c constants at CONST_BITS = 13.
const F0_298 = 2446, F0_390 = 3196, F0_541 = 4433, F0_765 = 6270, F0_899 = 7373, F1_175 = 9633, F1_501 = 12299,
  F1_847 = 15137, F1_961 = 16069, F2_053 = 16819, F2_562 = 20995, F3_072 = 25172;
const CONST_BITS = 13;

interface IdctContext {
  precision: number;
  pass1: number;
  /** 2^pass1, and for each descale: rounding half and the exact power-of-two inverse. */
  dcScale: number;
  half1: number; inv1: number;
  half2: number; inv2: number;
  halfDc: number; invDc: number;
  max: number; center: number; rangeMask: number; wrap: number;
  /** IJG's range-limit table: index x & rangeMask -> wrap into [-2(max+1), 2(max+1)), recentre, clamp. */
  range: Uint16Array;
}

const contexts = new Map<number, IdctContext>();

function idctContext(precision: number): IdctContext {
  const known = contexts.get(precision);
  if (known) return known;
  const pass1 = precision === 8 ? 2 : 1;
  const n1 = CONST_BITS - pass1;
  const n2 = CONST_BITS + pass1 + 3;
  const nDc = pass1 + 3;
  const max = (1 << precision) - 1;
  const center = 1 << (precision - 1);
  const rangeMask = max * 4 + 3;
  const wrap = 2 * (max + 1);
  const range = new Uint16Array(rangeMask + 1);
  for (let x = 0; x <= rangeMask; x++) {
    const v = (x >= wrap ? x - 2 * wrap : x) + center;
    range[x] = v < 0 ? 0 : v > max ? max : v;
  }
  const k: IdctContext = {
    precision, pass1, dcScale: 2 ** pass1,
    half1: 2 ** (n1 - 1), inv1: 2 ** -n1,
    half2: 2 ** (n2 - 1), inv2: 2 ** -n2,
    halfDc: 2 ** (nDc - 1), invDc: 2 ** -nDc,
    max, center, rangeMask, wrap, range,
  };
  contexts.set(precision, k);
  return k;
}

const SCALE = 2 ** CONST_BITS;

/** IJG islow inverse DCT of one block into `out` (8x8 at `outOffset`, row stride `stride`). */
function idctIslow(coef: Int16Array, at: number, q: Int32Array, k: IdctContext, out: Uint16Array, outOffset: number, stride: number, ws: Float64Array): void {
  const { half1, inv1, half2, inv2, range, rangeMask } = k;
  for (let c = 0; c < 8; c++) {
    const i0 = coef[at + c]! * q[c]!;
    if (coef[at + 8 + c] === 0 && coef[at + 16 + c] === 0 && coef[at + 24 + c] === 0 && coef[at + 32 + c] === 0 &&
      coef[at + 40 + c] === 0 && coef[at + 48 + c] === 0 && coef[at + 56 + c] === 0) {
      const dc = i0 * k.dcScale;
      for (let r = 0; r < 8; r++) ws[r * 8 + c] = dc;
      continue;
    }
    let z2 = coef[at + 16 + c]! * q[16 + c]!;
    let z3 = coef[at + 48 + c]! * q[48 + c]!;
    let z1 = (z2 + z3) * F0_541;
    let tmp2 = z1 + z3 * -F1_847;
    let tmp3 = z1 + z2 * F0_765;
    z2 = i0;
    z3 = coef[at + 32 + c]! * q[32 + c]!;
    let tmp0 = (z2 + z3) * SCALE;
    let tmp1 = (z2 - z3) * SCALE;
    const tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3, tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2;
    tmp0 = coef[at + 56 + c]! * q[56 + c]!;
    tmp1 = coef[at + 40 + c]! * q[40 + c]!;
    tmp2 = coef[at + 24 + c]! * q[24 + c]!;
    tmp3 = coef[at + 8 + c]! * q[8 + c]!;
    z1 = tmp0 + tmp3; z2 = tmp1 + tmp2; z3 = tmp0 + tmp2;
    let z4 = tmp1 + tmp3;
    const z5 = (z3 + z4) * F1_175;
    tmp0 *= F0_298; tmp1 *= F2_053; tmp2 *= F3_072; tmp3 *= F1_501;
    z1 *= -F0_899; z2 *= -F2_562; z3 *= -F1_961; z4 *= -F0_390;
    z3 += z5; z4 += z5;
    tmp0 += z1 + z3; tmp1 += z2 + z4; tmp2 += z2 + z3; tmp3 += z1 + z4;
    ws[c] = Math.floor((tmp10 + tmp3 + half1) * inv1); ws[56 + c] = Math.floor((tmp10 - tmp3 + half1) * inv1);
    ws[8 + c] = Math.floor((tmp11 + tmp2 + half1) * inv1); ws[48 + c] = Math.floor((tmp11 - tmp2 + half1) * inv1);
    ws[16 + c] = Math.floor((tmp12 + tmp1 + half1) * inv1); ws[40 + c] = Math.floor((tmp12 - tmp1 + half1) * inv1);
    ws[24 + c] = Math.floor((tmp13 + tmp0 + half1) * inv1); ws[32 + c] = Math.floor((tmp13 - tmp0 + half1) * inv1);
  }
  for (let r = 0; r < 8; r++) {
    const w = r * 8;
    const o = outOffset + r * stride;
    if (ws[w + 1] === 0 && ws[w + 2] === 0 && ws[w + 3] === 0 && ws[w + 4] === 0 && ws[w + 5] === 0 && ws[w + 6] === 0 && ws[w + 7] === 0) {
      const v = range[Math.floor((ws[w]! + k.halfDc) * k.invDc) & rangeMask]!;
      for (let j = 0; j < 8; j++) out[o + j] = v;
      continue;
    }
    let z2 = ws[w + 2]!;
    let z3 = ws[w + 6]!;
    let z1 = (z2 + z3) * F0_541;
    let tmp2 = z1 + z3 * -F1_847;
    let tmp3 = z1 + z2 * F0_765;
    let tmp0 = (ws[w]! + ws[w + 4]!) * SCALE;
    let tmp1 = (ws[w]! - ws[w + 4]!) * SCALE;
    const tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3, tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2;
    tmp0 = ws[w + 7]!; tmp1 = ws[w + 5]!; tmp2 = ws[w + 3]!; tmp3 = ws[w + 1]!;
    z1 = tmp0 + tmp3; z2 = tmp1 + tmp2; z3 = tmp0 + tmp2;
    let z4 = tmp1 + tmp3;
    const z5 = (z3 + z4) * F1_175;
    tmp0 *= F0_298; tmp1 *= F2_053; tmp2 *= F3_072; tmp3 *= F1_501;
    z1 *= -F0_899; z2 *= -F2_562; z3 *= -F1_961; z4 *= -F0_390;
    z3 += z5; z4 += z5;
    tmp0 += z1 + z3; tmp1 += z2 + z4; tmp2 += z2 + z3; tmp3 += z1 + z4;
    out[o] = range[Math.floor((tmp10 + tmp3 + half2) * inv2) & rangeMask]!; out[o + 7] = range[Math.floor((tmp10 - tmp3 + half2) * inv2) & rangeMask]!;
    out[o + 1] = range[Math.floor((tmp11 + tmp2 + half2) * inv2) & rangeMask]!; out[o + 6] = range[Math.floor((tmp11 - tmp2 + half2) * inv2) & rangeMask]!;
    out[o + 2] = range[Math.floor((tmp12 + tmp1 + half2) * inv2) & rangeMask]!; out[o + 5] = range[Math.floor((tmp12 - tmp1 + half2) * inv2) & rangeMask]!;
    out[o + 3] = range[Math.floor((tmp13 + tmp0 + half2) * inv2) & rangeMask]!; out[o + 4] = range[Math.floor((tmp13 - tmp0 + half2) * inv2) & rangeMask]!;
  }
}

/** IJG jdcolor.c YCbCr -> RGB, fixed point (SCALEBITS 16). */
function ycbcrToRgb(y: number, cb: number, cr: number, max: number, center: number): [number, number, number] {
  const half = 1 << 15;
  const x = cr - center;
  const z = cb - center;
  const r = y + Math.floor((91881 * x + half) / 65536);
  const g = y + Math.floor((-46802 * x - 22554 * z + half) / 65536);
  const b = y + Math.floor((116130 * z + half) / 65536);
  const cl = (v: number): number => (v < 0 ? 0 : v > max ? max : v);
  return [cl(r), cl(g), cl(b)];
}

export function decodeJpegDct(data: Uint8Array, expected: ExpectedFrame): CodecOutput {
  const u16 = (at: number): number => {
    if (at + 2 > data.length) fail('truncated');
    return (data[at]! << 8) | data[at + 1]!;
  };
  if (u16(0) !== 0xffd8) fail('no SOI marker');
  const qt: Int32Array[] = [];
  const dcTables: HuffmanTable[] = [];
  const acTables: HuffmanTable[] = [];
  let frame: { precision: number; height: number; width: number; components: Component[]; hmax: number; vmax: number; mcusX: number; mcusY: number } | undefined;
  let restartInterval = 0;
  let adobeTransform = -1;
  let jfif = false;
  let at = 2;

  for (let segment = nextSegment(data, at); segment; segment = nextSegment(data, at)) {
    const { marker, length: len, start: seg, end } = segment;
    switch (marker) {
      case 0xffdb: {
        let p = seg;
        while (p < end) {
          const pq = data[p]! >> 4;
          const tq = data[p]! & 15;
          p++;
          if (tq > 3) fail('bad quantisation table id');
          const t = new Int32Array(64);
          for (let k = 0; k < 64; k++) {
            if (p + (pq ? 2 : 1) > end) fail('quantisation table truncated');
            t[ZIGZAG[k]!] = pq ? u16(p) : data[p]!;
            p += pq ? 2 : 1;
          }
          qt[tq] = t;
        }
        break;
      }
      case 0xffc4:
        readHuffmanTables(data, segment, (tc, th, table) => { (tc === 0 ? dcTables : acTables)[th] = table; });
        break;
      case 0xffdd:
        restartInterval = u16(seg);
        break;
      case 0xffe0:
        if (len >= 7 && data[seg] === 0x4a && data[seg + 1] === 0x46 && data[seg + 2] === 0x49 && data[seg + 3] === 0x46) jfif = true;
        break;
      case 0xffee:
        if (len >= 14 && data[seg] === 0x41 && data[seg + 1] === 0x64 && data[seg + 2] === 0x6f) adobeTransform = data[seg + 11]!;
        break;
      case 0xffc0:
      case 0xffc1: {
        if (frame) fail('more than one frame header');
        const precision = data[seg]!;
        if (precision !== 8 && precision !== 12) fail(`precision ${precision} is not 8 or 12`);
        const height = u16(seg + 1);
        const width = u16(seg + 3);
        const nc = data[seg + 5]!;
        if (nc! < 1 || nc! > 4 || len < 8 + 3 * nc!) fail('bad frame header');
        checkAgainstDicom({ width, height, componentCount: nc, bitsPerSample: precision }, expected);
        const comps: Component[] = [];
        let hmax = 1;
        let vmax = 1;
        for (let c = 0; c < nc!; c++) {
          const p = seg + 6 + 3 * c;
          const h = data[p + 1]! >> 4;
          const v = data[p + 1]! & 15;
          if (h < 1 || h > 4 || v < 1 || v > 4) fail('bad sampling factor');
          hmax = Math.max(hmax, h);
          vmax = Math.max(vmax, v);
          comps.push({ id: data[p]!, h, v, tq: data[p + 2]! & 3, blocksPerLine: 0, blocksPerColumn: 0, coefficients: new Int16Array(0), pred: 0, dcTable: 0, acTable: 0 });
        }
        const mcusX = Math.ceil(width / (8 * hmax));
        const mcusY = Math.ceil(height / (8 * vmax));
        let blocks = 0;
        for (const c of comps) {
          c.blocksPerLine = mcusX * c.h;
          c.blocksPerColumn = mcusY * c.v;
          blocks += c.blocksPerLine * c.blocksPerColumn;
          if (blocks > MAX_BLOCKS) throw new AppError('DICOM_LIMIT_EXCEEDED', 'JPEG frame too large');
          c.coefficients = new Int16Array(c.blocksPerLine * c.blocksPerColumn * 64);
        }
        frame = { precision, height, width, components: comps, hmax, vmax, mcusX, mcusY };
        break;
      }
      case 0xffc2:
      case 0xffc6:
      case 0xffca:
        fail('progressive JPEG is not supported');
        break;
      case 0xffc3:
      case 0xffc5:
      case 0xffc7:
      case 0xffc9:
      case 0xffcb:
      case 0xffcd:
      case 0xffce:
      case 0xffcf:
        fail(`unsupported JPEG process (SOF${marker - 0xffc0})`);
        break;
      case 0xffda: {
        if (!frame) fail('scan before frame header');
        const ns = data[seg];
        if (ns! < 1 || ns! > 4 || len < 6 + 2 * ns!) fail('bad scan header');
        const scomps: Component[] = [];
        for (let k = 0; k < ns!; k++) {
          const id = data[seg + 1 + 2 * k];
          const c = frame.components.find((x) => x.id === id);
          if (!c) fail('scan names an unknown component');
          c.dcTable = data[seg + 2 + 2 * k]! >> 4;
          c.acTable = data[seg + 2 + 2 * k]! & 15;
          if (!dcTables[c.dcTable] || !acTables[c.acTable]) fail('scan uses a missing Huffman table');
          c.pred = 0;
          scomps.push(c);
        }
        at = decodeScan(data, end, frame, scomps, dcTables, acTables, restartInterval);
        continue;
      }
      default:
        break;
    }
    at = end;
  }
  if (!frame) fail('no frame header');
  const f = frame;
  // Samples are in 0..2^precision - 1 after the IDCT's range limit (and the colour conversion clamps),
  // so they go straight into the output type.
  const out = f.precision <= 8 ? new Uint8Array(f.width * f.height * f.components.length) : new Uint16Array(f.width * f.height * f.components.length);
  const ws = new Float64Array(64);
  const ctx = idctContext(f.precision);
  const planes: Uint16Array[] = [];
  for (const c of f.components) {
    const q = qt[c.tq];
    if (!q) fail('missing quantisation table');
    const stride = c.blocksPerLine * 8;
    const plane = new Uint16Array(stride * c.blocksPerColumn * 8);
    for (let by = 0; by < c.blocksPerColumn; by++) {
      for (let bx = 0; bx < c.blocksPerLine; bx++) {
        idctIslow(c.coefficients, (by * c.blocksPerLine + bx) * 64, q, ctx, plane, by * 8 * stride + bx * 8, stride, ws);
      }
    }
    planes.push(plane);
  }
  const nc = f.components.length;
  for (let c = 0; c < nc; c++) {
    const comp = f.components[c]!;
    const stride = comp.blocksPerLine * 8;
    const plane = planes[c]!;
    const full = comp.h === f.hmax && comp.v === f.vmax;
    const colMap = new Int32Array(f.width);
    for (let x = 0; x < f.width; x++) colMap[x] = full ? x : Math.floor((x * comp.h) / f.hmax);
    for (let y = 0; y < f.height; y++) {
      const rowStart = (full ? y : Math.floor((y * comp.v) / f.vmax)) * stride;
      let o = y * f.width * nc + c;
      if (nc === 1 && full) {
        out.set(plane.subarray(rowStart, rowStart + f.width), o);
        continue;
      }
      for (let x = 0; x < f.width; x++, o += nc) out[o] = plane[rowStart + colMap[x]!]!;
    }
  }
  let converted = false;
  if (nc === 3) {
    const ids = f.components.map((c) => c.id);
    const rgbIds = ids[0] === 0x52 && ids[1] === 0x47 && ids[2] === 0x42;
    const ycc = adobeTransform >= 0 ? adobeTransform !== 0 : jfif || !rgbIds;
    if (ycc) {
      const max = (1 << f.precision) - 1;
      const center = 1 << (f.precision - 1);
      for (let i = 0; i < out.length; i += 3) {
        const [r, g, b] = ycbcrToRgb(out[i]!, out[i + 1]!, out[i + 2]!, max, center);
        out[i] = r;
        out[i + 1] = g;
        out[i + 2] = b;
      }
    }
    converted = true;
  }
  return { info: { width: f.width, height: f.height, componentCount: nc, bitsPerSample: f.precision, colourConvertedToRgb: converted }, samples: out };
}

/** Bits the combined AC table looks ahead: codes plus extra bits of 12-bit CT mostly fit in 12. */
const AC_FAST = 12;

/**
 * AC run, size and coefficient in one lookup, indexed by the next AC_FAST bits:
 * (coefficient << 8) | (run << 4) | (code length + size). 0 where the code and its extra bits do not
 * fit, or for EOB/ZRL: those take the table's ordinary decode.
 */
function buildAcFast(t: HuffmanTable): Int32Array {
  const { maxcode, valptr, mincode, values } = t;
  const fast = new Int32Array(1 << AC_FAST);
  for (let len = 1; len < AC_FAST; len++) {
    for (let code = mincode[len]!; code <= maxcode[len]!; code++) {
      const idx = valptr[len]! + code - mincode[len]!;
      if (idx < 0 || idx >= values.length) continue;
      const rs = values[idx]!;
      const s = rs & 15;
      if (s === 0 || len + s > AC_FAST) continue;
      const free = AC_FAST - len - s;
      for (let v = 0; v < 1 << s; v++) {
        const at = ((code << s) | v) << free;
        fast.fill((extend(v, s) << 8) | (rs & 0xf0) | (len + s), at, at + (1 << free));
      }
    }
  }
  return fast;
}

function decodeScan(
  data: Uint8Array, start: number,
  frame: { components: Component[]; mcusX: number; mcusY: number; hmax: number; vmax: number; width: number; height: number },
  comps: Component[], dc: HuffmanTable[], ac: HuffmanTable[], restartInterval: number,
): number {
  const reader = new JpegBitReader(data, start);
  const acFast = ac.map((t) => (t.acFast ??= buildAcFast(t)));
  const decodeBlock = (c: Component, row: number, col: number): void => {
    if (row >= c.blocksPerColumn || col >= c.blocksPerLine) return;
    const base = (row * c.blocksPerLine + col) * 64;
    const coef = c.coefficients;
    const t = reader.decode(dc[c.dcTable]!);
    if (t > 16) fail('bad DC difference');
    c.pred += extend(reader.receive(t), t);
    coef[base] = c.pred;
    const act = ac[c.acTable];
    const fast = acFast[c.acTable]!;
    for (let k = 1; k < 64; ) {
      const e = fast[reader.peek(AC_FAST)]!;
      if (e !== 0) {
        reader.skip(e & 15);
        k += (e >> 4) & 15;
        if (k > 63) fail('AC coefficient index out of range');
        coef[base + ZIGZAG[k]!] = e >> 8;
        k++;
        continue;
      }
      const rs = reader.decode(act!);
      const s = rs & 15;
      const r = rs >> 4;
      if (s === 0) {
        if (r < 15) break;
        k += 16;
        continue;
      }
      k += r;
      if (k > 63) fail('AC coefficient index out of range');
      coef[base + ZIGZAG[k]!] = extend(reader.receive(s), s);
      k++;
    }
  };
  const single = comps.length === 1;
  const total = single
    ? Math.ceil(Math.ceil((frame.width * comps[0]!.h) / frame.hmax) / 8) * Math.ceil(Math.ceil((frame.height * comps[0]!.v) / frame.vmax) / 8)
    : frame.mcusX * frame.mcusY;
  const perLine = single ? Math.ceil(Math.ceil((frame.width * comps[0]!.h) / frame.hmax) / 8) : frame.mcusX;
  for (let m = 0; m < total; m++) {
    if (restartInterval && m > 0 && m % restartInterval === 0) {
      reader.restart();
      for (const c of comps) c.pred = 0;
    }
    const mRow = Math.floor(m / perLine);
    const mCol = m % perLine;
    if (single) decodeBlock(comps[0]!, mRow, mCol);
    else {
      for (const c of comps) {
        for (let v = 0; v < c.v; v++) for (let h = 0; h < c.h; h++) decodeBlock(c, mRow * c.v + v, mCol * c.h + h);
      }
    }
  }
  return nextMarker(data, reader.position);
}
