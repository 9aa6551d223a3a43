// Structure-aware mutations of the codestreams inside encapsulated pixel data: they find the marker
// segments of a JPEG / JPEG-LS / J2K / HTJ2K frame (or an RLE header) and lie in exactly one field
// (segment lengths, SOF/SIZ dimensions, Huffman tables, scan headers, tile sizes, tile-part lengths,
// code-block sizes) or cut the frame inside its entropy-coded data, so inputs get past the byte-level
// checks and reach the codecs' own parsers. Deterministic given the Rng.
import { concatBytes } from '../../src-shared/bytes';
import type { Rng } from './prng';
import type { Seed, Site } from './seedCorpus';
import type { Mutation } from './mutators';

const INTERESTING_8 = [0, 1, 2, 3, 4, 7, 8, 9, 12, 15, 16, 17, 31, 32, 33, 63, 64, 0x7f, 0x80, 0xfe, 0xff];
const INTERESTING_16 = [0, 1, 2, 3, 4, 7, 8, 16, 255, 256, 511, 512, 513, 4096, 0x7fff, 0x8000, 0xfffe, 0xffff];
const INTERESTING_32 = [0, 1, 2, 3, 8, 64, 255, 256, 512, 513, 65535, 65536, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff];

function put(b: Uint8Array, at: number, size: 1 | 2 | 4, v: number): void {
  for (let i = 0; i < size; i++) if (at + i < b.length) b[at + i] = Math.floor(v / 2 ** (8 * (size - 1 - i))) & 0xff;
}

function value(rng: Rng, size: 1 | 2 | 4, current: number): number {
  const pool = size === 1 ? INTERESTING_8 : size === 2 ? INTERESTING_16 : INTERESTING_32;
  const r = rng.int(4);
  if (r === 0) return current + rng.pick([-1, 1, 2, -2]);
  if (r === 1) return rng.u32() % 2 ** (8 * size);
  return rng.pick(pool);
}

interface Segment {
  marker: number;
  /** Offset of the FF byte. */
  at: number;
  /** Segment length field's offset (at + 2), -1 for standalone markers. */
  lengthAt: number;
  length: number;
}

/** Marker segments of a JPEG-family frame header, up to and including the first SOS. */
function jpegSegments(b: Uint8Array, start: number, end: number): { segments: Segment[]; scanData: number } {
  const segments: Segment[] = [];
  let at = start + 2;
  while (at + 4 <= end && b[at] === 0xff) {
    const m = b[at + 1]!;
    if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) {
      at += 2;
      continue;
    }
    const len = (b[at + 2]! << 8) | b[at + 3]!;
    segments.push({ marker: m, at, lengthAt: at + 2, length: len });
    if (m === 0xda) return { segments, scanData: at + 2 + len };
    at += 2 + len;
  }
  return { segments, scanData: -1 };
}

/** Main-header marker segments of a J2K codestream, and the tile-part headers (SOT). */
function j2kSegments(b: Uint8Array, start: number, end: number): Segment[] {
  const segments: Segment[] = [];
  let at = start + 2;
  while (at + 4 <= end && b[at] === 0xff) {
    const m = b[at + 1]!;
    const len = (b[at + 2]! << 8) | b[at + 3]!;
    segments.push({ marker: m, at, lengthAt: at + 2, length: len });
    if (m === 0x90) {
      const psot = ((b[at + 6]! << 24) >>> 0) + (b[at + 7]! << 16) + (b[at + 8]! << 8) + b[at + 9]!;
      if (psot < 14) break;
      at += psot;
    } else at += 2 + len;
  }
  return segments;
}

/** Field offsets (relative to the segment's FF) and sizes worth lying in, by marker. */
const JPEG_FIELDS: Record<number, Array<[number, 1 | 2 | 4, string]>> = {
  0xc0: [[4, 1, 'SOF precision'], [5, 2, 'SOF height'], [7, 2, 'SOF width'], [9, 1, 'SOF components'], [11, 1, 'SOF sampling'], [12, 1, 'SOF quant table']],
  0xc4: [[4, 1, 'DHT class/id'], [5, 1, 'DHT count of 1-bit codes'], [6, 1, 'DHT count of 2-bit codes'], [12, 1, 'DHT count of 8-bit codes'], [20, 1, 'DHT count of 16-bit codes'], [21, 1, 'DHT first symbol']],
  0xdb: [[4, 1, 'DQT precision/id'], [5, 1, 'DQT first entry']],
  0xda: [[4, 1, 'SOS components'], [5, 1, 'SOS component id'], [6, 1, 'SOS table selectors'], [7, 1, 'SOS Ss / NEAR'], [8, 1, 'SOS Se / ILV'], [9, 1, 'SOS Ah/Al']],
  0xdd: [[4, 2, 'DRI restart interval']],
  0xf8: [[4, 1, 'LSE id'], [5, 2, 'LSE MAXVAL'], [7, 2, 'LSE T1']],
};

const J2K_FIELDS: Record<number, Array<[number, 1 | 2 | 4, string]>> = {
  0x51: [[6, 4, 'SIZ Xsiz'], [10, 4, 'SIZ Ysiz'], [14, 4, 'SIZ XOsiz'], [22, 4, 'SIZ XTsiz'], [26, 4, 'SIZ YTsiz'], [30, 4, 'SIZ XTOsiz'], [38, 2, 'SIZ Csiz'], [40, 1, 'SIZ Ssiz'], [41, 1, 'SIZ XRsiz']],
  0x52: [[4, 1, 'COD Scod'], [5, 1, 'COD progression'], [6, 2, 'COD layers'], [8, 1, 'COD MCT'], [9, 1, 'COD levels'], [10, 1, 'COD xcb'], [11, 1, 'COD ycb'], [12, 1, 'COD style'], [13, 1, 'COD transform']],
  0x5c: [[4, 1, 'QCD Sqcd'], [5, 2, 'QCD first step']],
  0x90: [[4, 2, 'SOT Isot'], [6, 4, 'SOT Psot'], [10, 1, 'SOT TPsot'], [11, 1, 'SOT TNsot']],
  0x50: [[4, 4, 'CAP Pcap']],
};

/** Removes `count` bytes at `at` inside fragment `f`, keeping its item length true. */
function cutInside(b: Uint8Array, f: Site, at: number, count: number): Uint8Array {
  const out = concatBytes([b.subarray(0, at), b.subarray(at + count)]);
  const len = f.length - count;
  for (let i = 0; i < 4; i++) out[f.lengthPos + i] = (len >>> (8 * (f.little ? i : 3 - i))) & 0xff;
  return out;
}

function mutateJpeg(rng: Rng, b: Uint8Array, f: Site): Mutation {
  const end = f.dataPos + f.length;
  const { segments, scanData } = jpegSegments(b, f.dataPos, end);
  const op = rng.int(10);
  if (op < 2 && scanData > 0 && scanData < end) {
    // Truncation inside the entropy-coded data (with or without a closing EOI).
    const keep = scanData + rng.int(end - scanData);
    const out = cutInside(b, f, keep, end - keep);
    return { bytes: out, what: `JPEG frame cut at ${keep - f.dataPos} of ${f.length} bytes, inside the scan` };
  }
  if (op === 2 && scanData > 0 && scanData < end - 4) {
    // A marker planted inside the scan: RST out of sequence, EOI early, a second SOI or SOS.
    const out = b.slice();
    const at = scanData + rng.int(end - scanData - 2);
    out[at] = 0xff;
    out[at + 1] = rng.pick([0xd0, 0xd7, 0xd9, 0xd8, 0xda, 0xc4, 0xff, 0x00]);
    return { bytes: out, what: `marker ff${out[at + 1]!.toString(16)} planted in the scan at ${at}` };
  }
  if (segments.length === 0) return { bytes: b, what: 'JPEG frame without segments (unchanged)' };
  const s = rng.pick(segments);
  const out = b.slice();
  if (op === 3) {
    const v = value(rng, 2, s.length) & 0xffff;
    put(out, s.lengthAt, 2, v);
    return { bytes: out, what: `JPEG ff${s.marker.toString(16)} length ${s.length} -> ${v}` };
  }
  const sofLike = (s.marker >= 0xc0 && s.marker <= 0xcf && s.marker !== 0xc4 && s.marker !== 0xc8 && s.marker !== 0xcc) || s.marker === 0xf7 ? 0xc0 : s.marker;
  const fields = JPEG_FIELDS[sofLike];
  if (!fields) {
    const at = s.at + 4 + rng.int(Math.max(1, s.length - 2));
    if (at < out.length) out[at] = value(rng, 1, out[at]!) & 0xff;
    return { bytes: out, what: `JPEG ff${s.marker.toString(16)} byte +${at - s.at}` };
  }
  const [off, size, name] = rng.pick(fields);
  let cur = 0;
  for (let i = 0; i < size; i++) cur = cur * 256 + (out[s.at + off + i] ?? 0);
  const v = value(rng, size, cur) % 2 ** (8 * size);
  put(out, s.at + off, size, v);
  return { bytes: out, what: `${name} (ff${s.marker.toString(16)} at ${s.at}) ${cur} -> ${v}` };
}

function mutateJ2k(rng: Rng, b: Uint8Array, f: Site): Mutation {
  const end = f.dataPos + f.length;
  const segments = j2kSegments(b, f.dataPos, end);
  const op = rng.int(8);
  const sod = segments.find((s) => s.marker === 0x90);
  if (op < 2 && sod) {
    const from = sod.at + 14;
    if (from < end) {
      const keep = from + rng.int(end - from);
      return { bytes: cutInside(b, f, keep, end - keep), what: `J2K frame cut at ${keep - f.dataPos} of ${f.length} bytes, inside tile data` };
    }
  }
  if (segments.length === 0) return { bytes: b, what: 'J2K frame without segments (unchanged)' };
  const s = rng.pick(segments);
  const out = b.slice();
  if (op === 2) {
    const v = value(rng, 2, s.length) & 0xffff;
    put(out, s.lengthAt, 2, v);
    return { bytes: out, what: `J2K ff${s.marker.toString(16)} length ${s.length} -> ${v}` };
  }
  const fields = J2K_FIELDS[s.marker];
  if (!fields) {
    const at = s.at + 4 + rng.int(Math.max(1, s.length - 2));
    if (at < out.length) out[at] = value(rng, 1, out[at]!) & 0xff;
    return { bytes: out, what: `J2K ff${s.marker.toString(16)} byte +${at - s.at}` };
  }
  const [off, size, name] = rng.pick(fields);
  let cur = 0;
  for (let i = 0; i < size; i++) cur = cur * 256 + (out[s.at + off + i] ?? 0);
  const v = value(rng, size, cur) % 2 ** (8 * size);
  put(out, s.at + off, size, v);
  return { bytes: out, what: `${name} (at ${s.at}) ${cur} -> ${v}` };
}

function mutateRle(rng: Rng, b: Uint8Array, f: Site): Mutation {
  const out = b.slice();
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  if (f.length < 64) return { bytes: out, what: 'RLE frame shorter than its header (unchanged)' };
  const i = rng.int(16);
  const cur = dv.getUint32(f.dataPos + 4 * i, true);
  const v = value(rng, 4, cur) >>> 0;
  dv.setUint32(f.dataPos + 4 * i, v, true);
  return { bytes: out, what: `RLE header word ${i} (${i === 0 ? 'segment count' : `offset ${i}`}) ${cur} -> ${v}` };
}

/** Seeds whose pixel data is encapsulated (fragments after the offset table). */
export function hasCodestreams(seed: Seed): boolean {
  return seed.sites.some((s) => s.kind === 'fragment' && s.length >= 16);
}

/** One structure-aware mutation of a frame's codestream in `seed` (fragments that start a codestream, or RLE headers). */
export function mutateCodestream(rng: Rng, seed: Seed): Mutation {
  const b = seed.bytes;
  const frags = seed.sites.filter((s) => s.kind === 'fragment' && s.length >= 16 && s.dataPos + s.length <= b.length);
  const starts = frags.filter((s) => (b[s.dataPos] === 0xff && (b[s.dataPos + 1] === 0xd8 || b[s.dataPos + 1] === 0x4f)));
  if (starts.length > 0) {
    const f = rng.pick(starts);
    const m = b[f.dataPos + 1] === 0xd8 ? mutateJpeg(rng, b, f) : mutateJ2k(rng, b, f);
    return { bytes: m.bytes, what: `codestream: ${m.what}` };
  }
  if (frags.length > 0) {
    const m = mutateRle(rng, b, rng.pick(frags));
    return { bytes: m.bytes, what: `codestream: ${m.what}` };
  }
  return { bytes: b, what: 'codestream: no encapsulated frame (unchanged)' };
}
