// PALETTE COLOR (PS3.3 C.7.6.3.1.5/6 and C.7.9.2): three LUTs, plain or segmented, 8- or 16-bit
// entries; indices below the first mapped value take the first entry, above the last the last.
import type { DataSet } from 'dicom-parser';
import { AppError } from '../../errors';
import { elementBytes, readUs, readUsOrSs } from './elementValues';

export interface PaletteLut {
  firstMapped: number;
  bits: 8 | 16;
  entries: Uint16Array;
}

const MAX_LUT_ENTRIES = 65536;

function words(bytes: Uint8Array, bigEndian: boolean): Uint16Array {
  const n = bytes.length >> 1;
  const out = new Uint16Array(n);
  for (let i = 0; i < n; i++) out[i] = bigEndian ? (bytes[2 * i]! << 8) | bytes[2 * i + 1]! : bytes[2 * i]! | (bytes[2 * i + 1]! << 8);
  return out;
}

/** Expands segmented LUT data (discrete, linear and indirect segments) into `count` entries. */
export function expandSegmentedLut(data: Uint16Array, count: number): Uint16Array {
  const out = new Uint16Array(count);
  let n = 0;
  const run = (start: number, end: number, depth: number): void => {
    if (depth > 4) throw new AppError('DICOM_PARSE', 'segmented LUT indirection is nested too deeply');
    let i = start;
    while (i < end && n < count) {
      const op = data[i];
      if (i + 1 >= end) throw new AppError('DICOM_PARSE', 'segmented LUT segment is truncated');
      const len = data[i + 1]!;
      if (op === 0) {
        if (i + 2 + len > end) throw new AppError('DICOM_PARSE', 'segmented LUT discrete segment is truncated');
        for (let k = 0; k < len && n < count; k++) out[n++] = data[i + 2 + k]!;
        i += 2 + len;
      } else if (op === 1) {
        if (i + 2 >= end) throw new AppError('DICOM_PARSE', 'segmented LUT linear segment is truncated');
        if (n === 0) throw new AppError('DICOM_PARSE', 'segmented LUT starts with a linear segment');
        const y0 = out[n - 1];
        const y1 = data[i + 2];
        for (let k = 1; k <= len && n < count; k++) out[n++] = Math.round(y0! + ((y1! - y0!) * k) / len);
        i += 3;
      } else if (op === 2) {
        if (i + 3 >= end) throw new AppError('DICOM_PARSE', 'segmented LUT indirect segment is truncated');
        const offset = data[i + 2]! | (data[i + 3]! << 16);
        // An indirect segment copies `len` segments starting at a word offset into the data.
        let at = offset;
        for (let s = 0; s < len; s++) {
          if (at + 1 >= data.length || data[at] === 2) throw new AppError('DICOM_PARSE', 'segmented LUT indirect segment is invalid');
          const segLen = data[at] === 0 ? 2 + data[at + 1]! : 3;
          run(at, Math.min(at + segLen, data.length), depth + 1);
          at += segLen;
        }
        i += 4;
      } else {
        throw new AppError('DICOM_PARSE', `segmented LUT has unknown opcode ${op}`);
      }
    }
  };
  run(0, data.length, 0);
  if (n < count) for (let k = n; k < count; k++) out[k] = n > 0 ? out[n - 1]! : 0;
  return out;
}

function readLut(dataSet: DataSet, colour: 'Red' | 'Green' | 'Blue', bigEndian: boolean, indexSigned: boolean): PaletteLut {
  const descTag = { Red: 'x00281101', Green: 'x00281102', Blue: 'x00281103' }[colour];
  const dataTag = { Red: 'x00281201', Green: 'x00281202', Blue: 'x00281203' }[colour];
  const segTag = { Red: 'x00281221', Green: 'x00281222', Blue: 'x00281223' }[colour];
  const rawCount = readUs(dataSet, descTag, 0, bigEndian);
  const firstMapped = readUsOrSs(dataSet, descTag, 1, bigEndian, indexSigned);
  const bitsValue = readUs(dataSet, descTag, 2, bigEndian);
  if (rawCount === undefined || firstMapped === undefined || bitsValue === undefined) {
    throw new AppError('DICOM_PARSE', `${colour} Palette Color LUT Descriptor is missing or short`);
  }
  const count = rawCount === 0 ? MAX_LUT_ENTRIES : rawCount;
  const bits: 8 | 16 = bitsValue === 8 ? 8 : 16;
  const segEl = dataSet.elements[segTag];
  const dataEl = dataSet.elements[dataTag];
  let entries: Uint16Array;
  if (segEl && segEl.length > 0) {
    entries = expandSegmentedLut(words(elementBytes(dataSet, segEl), bigEndian), count);
  } else if (dataEl && dataEl.length > 0) {
    const bytes = elementBytes(dataSet, dataEl);
    if (bits === 8 && bytes.length >= count && bytes.length < 2 * count) {
      entries = Uint16Array.from(bytes.subarray(0, count));
    } else {
      const w = words(bytes, bigEndian);
      if (w.length < count) throw new AppError('DICOM_PARSE', `${colour} Palette Color LUT Data is shorter than its descriptor`);
      entries = w.subarray(0, count);
      // 8-bit entries written as 16-bit words: some writers put the value in the high byte.
      if (bits === 8) {
        let high = false;
        for (let i = 0; i < count; i++) if (entries[i]! > 255) high = true;
        if (high) entries = entries.map((v) => v >> 8);
      }
    }
  } else {
    throw new AppError('DICOM_PARSE', `${colour} Palette Color LUT Data is missing`);
  }
  return { firstMapped, bits, entries };
}

export function readPalette(dataSet: DataSet, bigEndian: boolean, indexSigned: boolean): [PaletteLut, PaletteLut, PaletteLut] {
  return [readLut(dataSet, 'Red', bigEndian, indexSigned), readLut(dataSet, 'Green', bigEndian, indexSigned), readLut(dataSet, 'Blue', bigEndian, indexSigned)];
}

/** Indices -> interleaved RGB; 8-bit output when all three LUTs have 8-bit entries, else 16-bit. */
export function applyPalette(indices: ArrayLike<number>, luts: [PaletteLut, PaletteLut, PaletteLut]): Uint8Array | Uint16Array {
  const eightBit = luts.every((l) => l.bits === 8);
  const n = indices.length;
  const out = eightBit ? new Uint8Array(n * 3) : new Uint16Array(n * 3);
  for (let c = 0; c < 3; c++) {
    const { firstMapped, entries } = luts[c]!;
    const last = entries.length - 1;
    for (let i = 0; i < n; i++) {
      let k = indices[i]! - firstMapped;
      if (k < 0) k = 0;
      else if (k > last) k = last;
      out[i * 3 + c] = entries[k]!;
    }
  }
  return out;
}
