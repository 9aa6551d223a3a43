// LUTs with a descriptor (entries, first mapped value, bits): Modality LUT Sequence and VOI LUT
// Sequence items (PS3.3 C.11.1, C.11.2). Values below the first mapped input take the first entry,
// above the last the last entry.
import type { DataSet } from 'dicom-parser';
import { AppError } from '../../errors';
import { elementBytes, readUs, readUsOrSs, readString } from './elementValues';

export interface DescribedLut {
  firstMapped: number;
  bits: number;
  entries: Uint16Array;
  explanation: string;
}

const MAX_ENTRIES = 65536;

/** Reads one LUT item: descriptor (tag `descriptorTag`), data (tag `dataTag`). */
export function readDescribedLut(item: DataSet, bigEndian: boolean, inputSigned: boolean, descriptorTag = 'x00283002', dataTag = 'x00283006'): DescribedLut {
  const rawCount = readUs(item, descriptorTag, 0, bigEndian);
  const firstMapped = readUsOrSs(item, descriptorTag, 1, bigEndian, inputSigned);
  const bits = readUs(item, descriptorTag, 2, bigEndian);
  if (rawCount === undefined || firstMapped === undefined || bits === undefined) throw new AppError('DICOM_PARSE', 'LUT Descriptor is missing or short');
  const count = rawCount === 0 ? MAX_ENTRIES : rawCount;
  const el = item.elements[dataTag];
  if (!el || el.length === 0) throw new AppError('DICOM_PARSE', 'LUT Data is missing');
  const bytes = elementBytes(item, el);
  let entries: Uint16Array;
  if (bits <= 8 && bytes.length >= count && bytes.length < 2 * count) {
    entries = Uint16Array.from(bytes.subarray(0, count));
  } else {
    const n = bytes.length >> 1;
    if (n < count) throw new AppError('DICOM_PARSE', 'LUT Data is shorter than its descriptor');
    entries = new Uint16Array(count);
    for (let i = 0; i < count; i++) entries[i] = bigEndian ? (bytes[2 * i]! << 8) | bytes[2 * i + 1]! : bytes[2 * i]! | (bytes[2 * i + 1]! << 8);
  }
  const explanation = readString(item, 'x00283003') ?? '';
  return { firstMapped, bits: bits === 0 ? 16 : bits, entries, explanation };
}

/** Also used with the IPC contract's LUTs (values as a plain array). */
export function lookUp(lut: { firstMapped: number; entries: ArrayLike<number> }, x: number): number {
  let k = Math.round(x) - lut.firstMapped;
  if (k < 0) k = 0;
  else if (k >= lut.entries.length) k = lut.entries.length - 1;
  return lut.entries[k]!;
}
