// DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header of segment offsets, then one PackBits
// segment per byte plane (most significant byte first, one set per sample). Output goes into a
// buffer sized from the DICOM header; a segment never writes past its plane.
import { AppError } from '../../errors';

export interface RleFrameLayout {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
}

function decodeSegment(src: Uint8Array, start: number, end: number, out: Uint8Array, outStart: number, outStride: number, count: number): number {
  let i = start;
  let p = outStart;
  let left = count;
  while (i < end && left > 0) {
    const n = src[i++]!;
    if (n < 128) {
      const len = n + 1;
      if (i + len > end) throw new AppError('DICOM_DECODE', 'RLE literal run overruns its segment');
      const take = len < left ? len : left;
      const stop = i + take;
      for (let k = i; k < stop; k++, p += outStride) out[p] = src[k]!;
      left -= take;
      i += len;
    } else if (n > 128) {
      if (i >= end) throw new AppError('DICOM_DECODE', 'RLE replicate run overruns its segment');
      const v = src[i++]!;
      const run = 257 - n;
      const take = run < left ? run : left;
      for (let k = 0; k < take; k++, p += outStride) out[p] = v;
      left -= take;
    }
  }
  return count - left;
}

/**
 * Decodes one RLE frame to little-endian bytes, samples interleaved (RGBRGB...).
 * For BitsAllocated 1 the result is the packed bits of the frame.
 */
export function decodeRle(encoded: Uint8Array, layout: RleFrameLayout): Uint8Array {
  const { rows, columns, samplesPerPixel: spp, bitsAllocated } = layout;
  const pixels = rows * columns;
  const bytesPerSample = bitsAllocated === 1 ? 1 : bitsAllocated / 8;
  const planeLength = bitsAllocated === 1 ? Math.ceil(pixels / 8) : pixels;
  const segmentsWanted = spp * bytesPerSample;
  if (encoded.length < 64) throw new AppError('DICOM_DECODE', 'RLE header is truncated');
  const dv = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  const segments = dv.getUint32(0, true);
  if (segments !== segmentsWanted) {
    throw new AppError('DICOM_PIXEL_MISMATCH', `RLE frame has ${segments} segments, the header implies ${segmentsWanted}`);
  }
  const offsets: number[] = [];
  for (let s = 0; s < segments; s++) offsets.push(dv.getUint32(4 + 4 * s, true));
  for (let s = 0; s < segments; s++) {
    const end = s + 1 < segments ? offsets[s + 1] : encoded.length;
    if (offsets[s]! < 64 || offsets[s]! > encoded.length || end! < offsets[s]! || end! > encoded.length) {
      throw new AppError('DICOM_DECODE', 'RLE segment offsets are out of range');
    }
  }
  const out = new Uint8Array(planeLength * segments);
  const stride = spp * bytesPerSample;
  for (let s = 0; s < segments; s++) {
    const sample = Math.floor(s / bytesPerSample);
    const byteInSample = s % bytesPerSample;
    // Segment 0 of a sample is its most significant byte; output is little endian.
    const outStart = sample * bytesPerSample + (bytesPerSample - 1 - byteInSample);
    const end = s + 1 < segments ? offsets[s + 1] : encoded.length;
    const got = decodeSegment(encoded, offsets[s]!, end!, out, outStart, stride, planeLength);
    if (got < planeLength) throw new AppError('DICOM_DECODE', `RLE segment ${s + 1} is short (${got} of ${planeLength} bytes)`);
  }
  return out;
}
