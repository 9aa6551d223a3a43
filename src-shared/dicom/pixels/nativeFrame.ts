// Native (uncompressed) frames: slices of the pixel data element, bounds-checked, byte-swapped
// for big endian, 1-bit data unpacked (frames of 1-bit data need not start on a byte boundary).
import type { DataSet } from 'dicom-parser';
import { AppError } from '../../errors';
import { elementBytes } from './elementValues';
import type { PixelDescription } from './pixelDescription';

export type RawSamples = Uint8Array | Uint16Array | Uint32Array | Float32Array | Float64Array;

/** Reinterprets little-endian bytes as samples of `bitsAllocated` bits (copying file bytes, so alignment never matters). */
export function samplesFromBytes(bytes: Uint8Array, bitsAllocated: number, kind: PixelDescription['kind'], bigEndian = false, owned = false): RawSamples {
  const width = bitsAllocated / 8;
  // A decoder's fresh output (`owned`) is reinterpreted; file bytes are copied so that the samples
  // never alias the file. new Uint8Array(view) always copies (a Buffer's slice() would not).
  const reuse = owned && bytes.byteOffset % width === 0 && bytes.length % width === 0;
  if (width === 1) return reuse ? bytes : new Uint8Array(bytes);
  const copy = reuse ? bytes : new Uint8Array(bytes.subarray(0, bytes.length - (bytes.length % width)));
  if (bigEndian && width === 2) {
    for (let i = 0; i + 1 < copy.length; i += 2) {
      const t = copy[i]!;
      copy[i] = copy[i + 1]!;
      copy[i + 1] = t;
    }
  } else if (bigEndian) {
    for (let i = 0; i < copy.length; i += width) {
      for (let a = i, b = i + width - 1; a < b; a++, b--) {
        const t = copy[a]!;
        copy[a] = copy[b]!;
        copy[b] = t;
      }
    }
  }
  const { buffer, byteOffset } = copy;
  const count = copy.length / width;
  if (kind === 'float') return new Float32Array(buffer, byteOffset, count);
  if (kind === 'double') return new Float64Array(buffer, byteOffset, count);
  return width === 2 ? new Uint16Array(buffer, byteOffset, count) : new Uint32Array(buffer, byteOffset, count);
}

/** Unpacks `count` 1-bit samples starting at bit `firstBit` (bit 0 of a byte is the first pixel, PS3.5 8.1.1). */
export function unpackBits(bytes: Uint8Array, firstBit: number, count: number): Uint8Array {
  if (firstBit + count > bytes.length * 8) throw new AppError('DICOM_PARSE', 'pixel data is shorter than its frames');
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const bit = firstBit + i;
    out[i] = (bytes[bit >> 3]! >> (bit & 7)) & 1;
  }
  return out;
}

export function nativeFrame(dataSet: DataSet, desc: PixelDescription, frameIndex: number): RawSamples {
  if (!Number.isInteger(frameIndex) || frameIndex < 0 || frameIndex >= desc.numberOfFrames) {
    throw new AppError('DICOM_PARSE', `frame ${frameIndex} does not exist (the image has ${desc.numberOfFrames})`);
  }
  const element = dataSet.elements[desc.pixelTag];
  if (!element || element.encapsulatedPixelData) throw new AppError('DICOM_PARSE', 'pixel data is not native');
  const all = elementBytes(dataSet, element);
  if (desc.bitsAllocated === 1) return unpackBits(all, frameIndex * desc.samplesPerFrame, desc.samplesPerFrame);
  const start = frameIndex * desc.frameBytes;
  if (start + desc.frameBytes > all.length) throw new AppError('DICOM_PARSE', 'pixel data is shorter than its frames');
  let bytes = all.subarray(start, start + desc.frameBytes);
  if (desc.bigEndian && desc.bitsAllocated === 8 && (element.vr === 'OW' || element.vr === undefined)) {
    // 8-bit samples in OW under big endian are stored as swapped 16-bit words.
    const src = all;
    const copy = new Uint8Array(desc.frameBytes);
    for (let i = 0; i < copy.length; i++) {
      const at = start + i;
      const partner = at ^ 1;
      copy[i] = partner < src.length ? src[partner]! : 0;
    }
    bytes = copy;
  }
  return samplesFromBytes(bytes, desc.bitsAllocated, desc.kind, desc.bigEndian && desc.bitsAllocated > 8);
}
