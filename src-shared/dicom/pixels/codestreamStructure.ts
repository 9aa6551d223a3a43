// Walks a frame's whole codestream (JPEG, JPEG-LS, JPEG 2000 / HTJ2K) before any codec sees it, as
// dcmtk does: every marker segment inside the buffer, tables well formed, a scan present and the
// stream complete. A codec fed a truncated or inconsistent stream can spin for tens of seconds
// (CharLS took 28 s on a JPEG-LS frame missing its last fragment); this refuses it in microseconds.
import type { ExpectedFrame } from '../codecs/codecTypes';
import { checkAgainstDicom, readCodestreamHeader, type CodestreamHeader } from './codestreamHeader';
import { CodestreamRefused } from './codestreamRefused';

function refuse(why: string): never {
  throw new CodestreamRefused(why);
}

function u16(b: Uint8Array, at: number): number {
  if (at + 2 > b.length) refuse('codestream is truncated inside a marker segment');
  return (b[at]! << 8) | b[at + 1]!;
}
function u32(b: Uint8Array, at: number): number {
  return u16(b, at) * 65536 + u16(b, at + 2);
}

const SOF_DCT = new Set([0xc0, 0xc1, 0xc2, 0xc9, 0xca]);
const SOF_LOSSLESS = new Set([0xc3, 0xcb]);
const SOF_PROGRESSIVE = new Set([0xc2, 0xca]);
const SOF_ARITHMETIC = new Set([0xc9, 0xca, 0xcb]);
/** Hierarchical and differential processes: DICOM never uses them and no codec here decodes them. */
const SOF_UNSUPPORTED = new Set([0xc5, 0xc6, 0xc7, 0xcd, 0xce, 0xcf]);

/** A DHT segment: every table's code lengths must fit the code space (libjpeg's "bogus Huffman table"). */
function readHuffmanTables(seg: Uint8Array, dc: Set<number>, ac: Set<number>): void {
  let p = 0;
  while (p < seg.length) {
    const tc = seg[p]! >> 4;
    const th = seg[p]! & 15;
    if (tc > 1 || th > 3) refuse('JPEG Huffman table class or id is invalid');
    if (p + 17 > seg.length) refuse('JPEG Huffman table is truncated');
    let total = 0;
    let code = 0;
    for (let len = 1; len <= 16; len++) {
      const n = seg[p + len]!;
      total += n;
      code += n;
      if (code > 1 << len) refuse('JPEG Huffman table has more codes than its lengths allow');
      code <<= 1;
    }
    if (total === 0 || total > 256) refuse('JPEG Huffman table has no codes or more than 256');
    p += 17 + total;
    if (p > seg.length) refuse('JPEG Huffman table is truncated');
    (tc === 0 ? dc : ac).add(th);
  }
}

function readQuantTables(seg: Uint8Array, quant: Set<number>): void {
  let p = 0;
  while (p < seg.length) {
    const pq = seg[p]! >> 4;
    const tq = seg[p]! & 15;
    if (pq > 1 || tq > 3) refuse('JPEG quantisation table precision or id is invalid');
    p += 1 + 64 * (pq + 1);
    if (p > seg.length) refuse('JPEG quantisation table is truncated');
    quant.add(tq);
  }
}

/** Index of the marker that ends the entropy-coded data starting at `at`. */
function endOfScan(b: Uint8Array, at: number, jpegLs: boolean): number {
  const last = b.length - 1;
  for (let i = at; i < last; i++) {
    if (b[i] !== 0xff) continue;
    const n = b[i + 1]!;
    // Stuffing: FF00 in JPEG; in JPEG-LS a byte after FF carries a stuffed zero bit (so is < 0x80).
    // Restart markers and fill bytes belong to the scan.
    if ((jpegLs ? n < 0x80 : n === 0) || (n >= 0xd0 && n <= 0xd7)) i++;
    else if (n !== 0xff) return i;
  }
  refuse('JPEG scan data runs to the end without EOI (the frame is truncated)');
}

function checkJpeg(b: Uint8Array, header: CodestreamHeader): void {
  const sofCode = header.marker & 0xff;
  if (SOF_UNSUPPORTED.has(sofCode)) refuse('hierarchical or differential JPEG is not used by DICOM');
  const jpegLs = header.marker === 0xfff7;
  const lossless = SOF_LOSSLESS.has(sofCode);
  const dct = SOF_DCT.has(sofCode);
  const huffman = !jpegLs && !SOF_ARITHMETIC.has(sofCode);
  const progressive = SOF_PROGRESSIVE.has(sofCode);
  if (jpegLs ? header.bitsPerSample < 2 || header.bitsPerSample > 16
    : lossless ? header.bitsPerSample < 2 || header.bitsPerSample > 16
    : header.bitsPerSample !== 8 && header.bitsPerSample !== 12) refuse(`JPEG precision ${header.bitsPerSample} is invalid for its process`);
  for (const [h, v] of header.sampling ?? []) if (h < 1 || h > 4 || v < 1 || v > 4) refuse('JPEG sampling factor is invalid');

  const dc = new Set<number>();
  const ac = new Set<number>();
  const quant = new Set<number>();
  let components: Array<{ id: number; tq: number }> | null = null;
  let scans = 0;
  let at = 2;
  for (;;) {
    if (at + 2 > b.length) refuse('JPEG codestream ends without EOI (the frame is truncated)');
    if (b[at] !== 0xff) refuse('JPEG marker expected between segments');
    const m = b[at + 1]!;
    if (m === 0xff) {
      at++; // fill byte
      continue;
    }
    at += 2;
    if (m === 0xd9) {
      if (scans === 0) refuse('JPEG codestream has no scan (SOS)');
      return;
    }
    if (m === 0xd8) refuse('JPEG codestream has a second SOI');
    if ((m >= 0xd0 && m <= 0xd7) || m === 0x01) continue;
    const len = u16(b, at);
    if (len < 2 || at + len > b.length) refuse('JPEG marker segment overruns the codestream');
    const seg = b.subarray(at + 2, at + len);
    const isSof = (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) || m === 0xf7;
    if (isSof) {
      if (components) refuse('JPEG codestream has two frame headers');
      const nc = seg[5] ?? 0;
      if (nc < 1 || nc > 4 || seg.length !== 6 + 3 * nc) refuse('JPEG frame header length does not match its components');
      components = [];
      for (let c = 0; c < nc; c++) {
        const id = seg[6 + 3 * c]!;
        if (components.some((x) => x.id === id)) refuse('JPEG frame header repeats a component id');
        components.push({ id, tq: seg[8 + 3 * c]! });
      }
    } else if (m === 0xc4) {
      readHuffmanTables(seg, dc, ac);
    } else if (m === 0xdb) {
      readQuantTables(seg, quant);
    } else if (m === 0xdd) {
      if (len !== 4) refuse('JPEG restart interval segment has the wrong length');
    } else if (m === 0xda) {
      if (!components) refuse('JPEG scan comes before the frame header');
      const ns = seg[0] ?? 0;
      if (ns < 1 || ns > 4 || seg.length !== 4 + 2 * ns) refuse('JPEG scan header length does not match its components');
      const ss = seg[1 + 2 * ns]!;
      const se = seg[2 + 2 * ns]!;
      const ah = seg[3 + 2 * ns]! >> 4;
      if (jpegLs && se > 2) refuse('JPEG-LS interleave mode is invalid');
      if (lossless && (ss < 1 || ss > 7)) refuse('lossless JPEG predictor is invalid');
      for (let c = 0; c < ns; c++) {
        const id = seg[1 + 2 * c]!;
        if (!components.some((x) => x.id === id)) refuse('JPEG scan names a component the frame does not have');
        if (!huffman) continue;
        const td = seg[2 + 2 * c]! >> 4;
        const ta = seg[2 + 2 * c]! & 15;
        const needDc = lossless || (ss === 0 && !(progressive && ah > 0));
        const needAc = !lossless && (progressive ? ss > 0 : true);
        if (needDc && !dc.has(td)) refuse('JPEG scan uses a DC Huffman table that was never defined');
        if (needAc && !ac.has(ta)) refuse('JPEG scan uses an AC Huffman table that was never defined');
      }
      if (dct && components.some((x) => !quant.has(x.tq))) refuse('JPEG component uses a quantisation table that was never defined');
      scans++;
      at = endOfScan(b, at + len, jpegLs);
      continue;
    }
    at += len;
  }
}

/** Most tiles a codestream may have (Isot is 0..65534). */
const MAX_TILES = 65_535;

function checkJ2k(b: Uint8Array, start: number): void {
  const s = start + 4;
  const lsiz = u16(b, s);
  const csiz = u16(b, s + 36);
  if (lsiz !== 38 + 3 * csiz) refuse('J2K SIZ length does not match its component count');
  const xsiz = u32(b, s + 4);
  const ysiz = u32(b, s + 8);
  const xo = u32(b, s + 12);
  const yo = u32(b, s + 16);
  const xt = u32(b, s + 20);
  const yt = u32(b, s + 24);
  const xto = u32(b, s + 28);
  const yto = u32(b, s + 32);
  if (xt === 0 || yt === 0) refuse('J2K tile size is zero');
  if (xto > xo || yto > yo || xto + xt <= xo || yto + yt <= yo) refuse('J2K tile grid does not cover the image origin');
  const tiles = Math.ceil((xsiz - xto) / xt) * Math.ceil((ysiz - yto) / yt);
  if (!(tiles >= 1 && tiles <= MAX_TILES)) refuse(`J2K tile grid has ${tiles} tiles`);
  for (let c = 0; c < csiz; c++) {
    const ssiz = b[s + 38 + 3 * c]!;
    if ((ssiz & 0x7f) + 1 > 38) refuse('J2K component precision is invalid');
    if (b[s + 39 + 3 * c] === 0 || b[s + 40 + 3 * c] === 0) refuse('J2K component subsampling is zero');
  }

  let at = s + lsiz;
  let cod = false;
  let qcd = false;
  // Main header: marker segments up to the first tile-part.
  for (;;) {
    const m = u16(b, at);
    if (m === 0xff90) break;
    if ((m & 0xff00) !== 0xff00 || m < 0xff30) refuse('J2K main header marker expected');
    if (m === 0xff51 || m === 0xff4f) refuse('J2K codestream repeats SOC or SIZ');
    if (m === 0xffd9 || m === 0xff93) refuse('J2K codestream has no tile-part');
    const len = u16(b, at + 2);
    if (len < 2 || at + 2 + len > b.length) refuse('J2K marker segment overruns the codestream');
    if (m === 0xff52) {
      cod = true;
      checkCod(b.subarray(at + 4, at + 2 + len));
    } else if (m === 0xff5c) {
      if (len < 4) refuse('J2K QCD is truncated');
      qcd = true;
    }
    at += 2 + len;
  }
  if (!cod || !qcd) refuse('J2K main header lacks COD or QCD');

  // Tile-parts, each told by its SOT's Psot; Psot 0 means "to the end of the codestream".
  let parts = 0;
  while (at < b.length) {
    const m = u16(b, at);
    if (m === 0xffd9) return;
    if (m !== 0xff90) {
      if (parts > 0 && b.subarray(at).every((x) => x === 0)) return; // padding to an even length
      refuse('J2K tile-part expected');
    }
    if (u16(b, at + 2) !== 10) refuse('J2K SOT length is invalid');
    const isot = u16(b, at + 4);
    const psot = u32(b, at + 6);
    if (isot >= tiles) refuse('J2K tile-part names a tile outside the grid');
    const end = psot === 0 ? b.length : at + psot;
    if (psot !== 0 && psot < 14) refuse('J2K tile-part length is invalid');
    if (end > b.length) refuse('J2K tile-part overruns the codestream (the frame is truncated)');
    let p = at + 12;
    for (;;) {
      if (p + 2 > end) refuse('J2K tile-part has no SOD');
      const tm = u16(b, p);
      if (tm === 0xff93) break;
      if ((tm & 0xff00) !== 0xff00 || tm < 0xff30) refuse('J2K tile-part header marker expected');
      const len = u16(b, p + 2);
      if (len < 2 || p + 2 + len > end) refuse('J2K tile-part marker segment overruns its tile-part');
      if (tm === 0xff52) checkCod(b.subarray(p + 4, p + 2 + len));
      p += 2 + len;
    }
    parts++;
    if (parts > 4 * MAX_TILES) refuse('J2K codestream has too many tile-parts');
    at = end;
  }
  if (parts === 0) refuse('J2K codestream has no tile-part');
}

/** COD: decomposition levels and code-block size within what Part 1 / Part 15 allow. */
function checkCod(seg: Uint8Array): void {
  if (seg.length < 10) refuse('J2K COD is truncated');
  const scod = seg[0]!;
  const progression = seg[1]!;
  const layers = (seg[2]! << 8) | seg[3]!;
  const levels = seg[5]!;
  const xcb = seg[6]!;
  const ycb = seg[7]!;
  if (progression > 4) refuse('J2K progression order is invalid');
  if (layers === 0) refuse('J2K codestream has no quality layers');
  if (levels > 32) refuse('J2K decomposition levels exceed 32');
  if (xcb > 8 || ycb > 8 || xcb + ycb > 8) refuse('J2K code-block size is invalid');
  if (seg[9]! > 1) refuse('J2K wavelet transform is invalid');
  if (scod & 1 && seg.length < 10 + levels + 1) refuse('J2K COD precinct sizes are truncated');
}

/**
 * The codestream's header (as readCodestreamHeader gives it) after checking it against the DICOM
 * header and walking the whole stream. Throws CodestreamRefused (DICOM_DECODE) for a malformed
 * stream and AppError('DICOM_PIXEL_MISMATCH') when it disagrees with the DICOM header.
 */
export function checkCodestream(encoded: Uint8Array, expected: ExpectedFrame): CodestreamHeader {
  const header = readCodestreamHeader(encoded);
  checkAgainstDicom(header, expected);
  if (header.marker === 0xff51) checkJ2k(encoded, header.codestreamStart ?? 0);
  else checkJpeg(encoded, header);
  return header;
}
