// Reads a codestream's own frame header (JPEG SOFn, JPEG-LS SOF55, J2K SIZ) without decoding,
// so a frame whose codestream disagrees with the DICOM header is refused before any decoder
// allocates from the codestream's numbers.
import { AppError } from '../../errors';
import type { CodecFrameInfo, ExpectedFrame } from '../codecs/codecTypes';
import { CodestreamRefused } from './codestreamRefused';

export interface CodestreamHeader extends CodecFrameInfo {
  /** The SOF marker (0xffc0..0xffcf, 0xfff7) for JPEG-family streams, 0xff51 for J2K SIZ. */
  marker: number;
  /** Per-component sampling factors (JPEG) as [h, v]. */
  sampling?: Array<[number, number]>;
  /** Where the J2K codestream (SOC) starts: past the boxes of a JP2 file, else 0. */
  codestreamStart?: number;
}

function u16(b: Uint8Array, at: number): number {
  if (at + 2 > b.length) throw new CodestreamRefused('codestream header is truncated');
  return (b[at]! << 8) | b[at + 1]!;
}
function u32(b: Uint8Array, at: number): number {
  return u16(b, at) * 65536 + u16(b, at + 2);
}

function jpegHeader(b: Uint8Array): CodestreamHeader {
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) throw new CodestreamRefused('JPEG marker expected');
    const marker = u16(b, at);
    at += 2;
    if (marker === 0xffff) {
      at -= 1; // fill byte
      continue;
    }
    if (marker === 0xffd8 || (marker >= 0xffd0 && marker <= 0xffd7) || marker === 0xff01) continue;
    const len = u16(b, at);
    if (len < 2 || at + len > b.length) throw new CodestreamRefused('JPEG segment overruns the codestream');
    const isSof = (marker >= 0xffc0 && marker <= 0xffcf && marker !== 0xffc4 && marker !== 0xffc8 && marker !== 0xffcc) || marker === 0xfff7;
    if (isSof) {
      if (len < 8) throw new CodestreamRefused('JPEG frame header is truncated');
      const precision = b[at + 2]!;
      const height = u16(b, at + 3);
      const width = u16(b, at + 5);
      const components = b[at + 7]!;
      if (len < 8 + 3 * components!) throw new CodestreamRefused('JPEG frame header is truncated');
      const sampling: Array<[number, number]> = [];
      for (let c = 0; c < components!; c++) {
        const hv = b[at + 9 + 3 * c];
        sampling.push([hv! >> 4, hv! & 15]);
      }
      return { marker, width, height, componentCount: components, bitsPerSample: precision, sampling };
    }
    if (marker === 0xffda || marker === 0xffd9) break;
    at += len;
  }
  throw new CodestreamRefused('JPEG codestream has no frame header');
}

function j2kHeader(b: Uint8Array): CodestreamHeader {
  let at = 0;
  // Some writers wrap the codestream in a JP2 file: find the contiguous codestream box.
  if (b.length >= 12 && u32(b, 4) === 0x6a502020) {
    at = 0;
    for (;;) {
      if (at + 8 > b.length) throw new CodestreamRefused('JP2 file has no codestream box');
      let boxLen = u32(b, at);
      const type = u32(b, at + 4);
      let header = 8;
      if (boxLen === 1) {
        if (at + 16 > b.length) throw new CodestreamRefused('JP2 box is truncated');
        boxLen = u32(b, at + 8) * 2 ** 32 + u32(b, at + 12);
        header = 16;
      } else if (boxLen === 0) boxLen = b.length - at;
      if (type === 0x6a703263) {
        at += header;
        break;
      }
      if (boxLen < header) throw new CodestreamRefused('JP2 box length is invalid');
      at += boxLen;
    }
  }
  if (u16(b, at) !== 0xff4f || u16(b, at + 2) !== 0xff51) throw new CodestreamRefused('J2K codestream does not start with SOC, SIZ');
  const s = at + 4;
  const lsiz = u16(b, s);
  if (s + lsiz > b.length || lsiz < 41) throw new CodestreamRefused('J2K SIZ is truncated');
  const xsiz = u32(b, s + 4);
  const ysiz = u32(b, s + 8);
  const xo = u32(b, s + 12);
  const yo = u32(b, s + 16);
  const csiz = u16(b, s + 36);
  if (lsiz < 38 + 3 * csiz || csiz === 0) throw new CodestreamRefused('J2K SIZ is truncated');
  const ssiz = b[s + 38];
  for (let c = 1; c < csiz; c++) {
    if (b[s + 38 + 3 * c] !== ssiz) throw new AppError('DICOM_PIXEL_MISMATCH', 'J2K components differ in precision');
  }
  if (xsiz <= xo || ysiz <= yo) throw new CodestreamRefused('J2K image area is empty');
  return {
    marker: 0xff51,
    codestreamStart: at,
    width: xsiz - xo,
    height: ysiz - yo,
    componentCount: csiz,
    bitsPerSample: (ssiz! & 0x7f) + 1,
    signed: (ssiz! & 0x80) !== 0,
  };
}

export function readCodestreamHeader(encoded: Uint8Array): CodestreamHeader {
  if (encoded.length >= 2 && encoded[0] === 0xff && encoded[1] === 0xd8) return jpegHeader(encoded);
  return j2kHeader(encoded);
}

/** Throws DICOM_PIXEL_MISMATCH when the codestream's header disagrees with the DICOM header. */
export function checkAgainstDicom(h: CodecFrameInfo, e: ExpectedFrame): void {
  const problems: string[] = [];
  if (h.width !== e.columns) problems.push(`width ${h.width} != Columns ${e.columns}`);
  if (h.height !== e.rows) problems.push(`height ${h.height} != Rows ${e.rows}`);
  if (h.componentCount !== e.samplesPerPixel) problems.push(`${h.componentCount} components != SamplesPerPixel ${e.samplesPerPixel}`);
  if (h.bitsPerSample > e.bitsAllocated || h.bitsPerSample < 1) problems.push(`precision ${h.bitsPerSample} does not fit BitsAllocated ${e.bitsAllocated}`);
  if (problems.length) throw new AppError('DICOM_PIXEL_MISMATCH', `codestream and DICOM header disagree: ${problems.join(', ')}`);
}
