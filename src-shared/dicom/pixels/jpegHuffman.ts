// Codestream reading shared by the DCT and lossless JPEG decoders: marker segments, DHT tables, and
// entropy-coded data through a 32-bit bit buffer
// that removes stuffed zero bytes, stops at markers (then supplies zeros, as IJG does), and Huffman
// tables with a 9-bit lookahead for the common short codes.
import { AppError } from '../../errors';

export interface HuffmanTable {
  /** (length << 8) | value for codes of at most 9 bits, indexed by the next 9 bits; 0 if longer. */
  lookup: Uint16Array;
  maxcode: Int32Array;
  valptr: Int32Array;
  mincode: Int32Array;
  values: Uint8Array;
  /** The DCT decoder's combined AC table (see jpegDct.ts), built on first use. */
  acFast?: Int32Array;
}

const LOOKAHEAD = 9;

export function buildHuffmanTable(counts: Uint8Array, values: Uint8Array): HuffmanTable {
  const maxcode = new Int32Array(18).fill(-1);
  const valptr = new Int32Array(17);
  const mincode = new Int32Array(17);
  const lookup = new Uint16Array(1 << LOOKAHEAD);
  let code = 0;
  let k = 0;
  for (let l = 1; l <= 16; l++) {
    const n = counts[l - 1]!;
    valptr[l] = k;
    mincode[l] = code;
    for (let i = 0; i < n; i++) {
      if (l <= LOOKAHEAD) {
        const shift = LOOKAHEAD - l;
        const base = (code + i) << shift;
        const entry = (l << 8) | (values[k + i] ?? 0);
        for (let j = 0; j < 1 << shift; j++) if (base + j < lookup.length) lookup[base + j] = entry;
      }
    }
    code += n;
    k += n;
    maxcode[l] = n ? code - 1 : -1;
    code <<= 1;
  }
  maxcode[17] = 0x7fffffff;
  return { lookup, maxcode, valptr, mincode, values };
}

export class JpegBitReader {
  private pos: number;
  private acc = 0;
  private bits = 0;
  /** A marker was met: from then on zeros are supplied. */
  private hitMarker = false;

  constructor(
    private readonly data: Uint8Array,
    start: number,
  ) {
    this.pos = start;
  }

  get position(): number {
    return this.pos;
  }

  private fill(): void {
    const data = this.data;
    while (this.bits <= 24) {
      let byte = 0;
      if (!this.hitMarker && this.pos < data.length) {
        byte = data[this.pos]!;
        if (byte === 0xff) {
          const next = this.pos + 1 < data.length ? data[this.pos + 1]! : 0xd9;
          if (next === 0) this.pos += 2;
          else {
            this.hitMarker = true;
            byte = 0;
          }
        } else this.pos++;
      }
      this.acc = ((this.acc << 8) | byte) >>> 0;
      this.bits += 8;
    }
  }

  /** The next `n` bits (n <= 16) without consuming them; at least 16 are buffered afterwards. */
  peek(n: number): number {
    if (this.bits < 16) this.fill();
    return (this.acc >>> (this.bits - n)) & ((1 << n) - 1);
  }

  /** Consumes `n` bits already buffered (n <= 16 after peek()). */
  skip(n: number): void {
    this.bits -= n;
  }

  receive(n: number): number {
    if (n === 0) return 0;
    if (this.bits < n) this.fill();
    this.bits -= n;
    return (this.acc >>> this.bits) & ((1 << n) - 1);
  }

  decode(t: HuffmanTable): number {
    if (this.bits < 16) this.fill();
    const e = t.lookup[(this.acc >>> (this.bits - LOOKAHEAD)) & ((1 << LOOKAHEAD) - 1)]!;
    if (e !== 0) {
      this.bits -= e >> 8;
      return e & 0xff;
    }
    for (let l = LOOKAHEAD + 1; l <= 16; l++) {
      const code = (this.acc >>> (this.bits - l)) & ((1 << l) - 1);
      if (code <= t.maxcode[l]!) {
        this.bits -= l;
        const idx = t.valptr[l]! + code - t.mincode[l]!;
        if (idx < 0 || idx >= t.values.length) break;
        return t.values[idx]!;
      }
    }
    throw new AppError('DICOM_DECODE', 'JPEG: bad Huffman code');
  }

  /** Discards buffered bits and steps over the next RSTn marker. */
  restart(): void {
    this.acc = 0;
    this.bits = 0;
    this.hitMarker = false;
    const data = this.data;
    let p = this.pos;
    while (p + 1 < data.length && !(data[p] === 0xff && data[p + 1]! >= 0xd0 && data[p + 1]! <= 0xd7)) p++;
    this.pos = p + 1 < data.length ? p + 2 : data.length;
  }
}

/** F.2.2.1 EXTEND: an s-bit magnitude category value to a signed difference. */
export function extend(v: number, s: number): number {
  return s === 0 ? 0 : v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
}

/** Position after an entropy-coded segment: the next marker that is neither stuffing nor RSTn. */
export function nextMarker(data: Uint8Array, from: number): number {
  let p = from;
  while (p + 1 < data.length && !(data[p] === 0xff && data[p + 1] !== 0 && !(data[p + 1]! >= 0xd0 && data[p + 1]! <= 0xd7))) p++;
  return p;
}

/** One marker segment: `start`..`end` is its payload (after the 2-byte length). */
export interface JpegSegment {
  marker: number;
  length: number;
  start: number;
  end: number;
}

function fail(msg: string): never {
  throw new AppError('DICOM_DECODE', `JPEG: ${msg}`);
}

/**
 * The next marker segment at or after `from`, skipping fill bytes, RSTn and TEM; null at EOI or when the
 * data ends. The segment's length is checked against the bytes that exist.
 */
export function nextSegment(data: Uint8Array, from: number): JpegSegment | null {
  let at = from;
  for (;;) {
    if (at + 2 > data.length) return null;
    if (data[at] !== 0xff) {
      at++;
      continue;
    }
    const marker = (data[at]! << 8) | data[at + 1]!;
    at += 2;
    if (marker === 0xffff) {
      at--;
      continue;
    }
    if (marker === 0xffd9) return null;
    if ((marker >= 0xffd0 && marker <= 0xffd7) || marker === 0xff01) continue;
    if (at + 2 > data.length) fail('truncated');
    const length = (data[at]! << 8) | data[at + 1]!;
    if (length < 2 || at + length > data.length) fail('segment overruns the codestream');
    return { marker, length, start: at + 2, end: at + length };
  }
}

/** Reads every table of a DHT segment, handing each to `onTable` with its class (0 DC/lossless, 1 AC) and id. */
export function readHuffmanTables(data: Uint8Array, segment: JpegSegment, onTable: (tableClass: number, id: number, table: HuffmanTable) => void): void {
  let p = segment.start;
  const end = segment.end;
  while (p < end) {
    if (p + 17 > end) fail('Huffman table truncated');
    const tc = data[p]! >> 4;
    const th = data[p]! & 15;
    if (th > 3 || tc > 1) fail('bad Huffman table id');
    const counts = data.subarray(p + 1, p + 17);
    let total = 0;
    for (let k = 0; k < 16; k++) total += counts[k]!;
    if (total > 256 || p + 17 + total > end) fail('Huffman table truncated');
    onTable(tc, th, buildHuffmanTable(counts.slice(), data.slice(p + 17, p + 17 + total)));
    p += 17 + total;
  }
}
