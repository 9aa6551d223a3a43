// Bounds-checked readers for the few header values the pixel pipeline needs. dicom-parser's own
// accessors trust element lengths (a US element of length 1 reads past its value), so every
// read here checks the element's length and position against the bytes that exist.
import type { DataSet, Element } from 'dicom-parser';
import { AppError } from '../../errors';

export function elementBytes(dataSet: DataSet, element: Element): Uint8Array {
  const bytes = dataSet.byteArray;
  const start = element.dataOffset;
  const length = element.length;
  if (!Number.isInteger(start) || !Number.isInteger(length) || start < 0 || length < 0 || start + length > bytes.length) {
    throw new AppError('DICOM_PARSE', `element ${element.tag} lies outside the file`);
  }
  return bytes.subarray(start, start + length);
}

export function isBigEndian(transferSyntaxUid: string): boolean {
  return transferSyntaxUid === '1.2.840.10008.1.2.2';
}

/** Unsigned 16-bit value (US), or undefined when absent or empty. */
export function readUs(dataSet: DataSet, tag: string, index = 0, bigEndian = false): number | undefined {
  const el = dataSet.elements[tag];
  if (!el || el.length === 0) return undefined;
  const b = elementBytes(dataSet, el);
  const at = index * 2;
  if (at + 2 > b.length) return undefined;
  return bigEndian ? (b[at]! << 8) | b[at + 1]! : b[at]! | (b[at + 1]! << 8);
}

/** US or SS per the VR (the descriptor's first value may be either, PS3.3 C.7.6.3.1.5). */
export function readUsOrSs(dataSet: DataSet, tag: string, index: number, bigEndian: boolean, signed: boolean): number | undefined {
  const v = readUs(dataSet, tag, index, bigEndian);
  if (v === undefined) return undefined;
  return signed && v >= 0x8000 ? v - 0x10000 : v;
}

export function readString(dataSet: DataSet, tag: string): string | undefined {
  const el = dataSet.elements[tag];
  if (!el || el.length === 0) return undefined;
  const b = elementBytes(dataSet, el);
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s.replace(/[\0 ]+$/, '').replace(/^ +/, '');
}

/** Decimal / integer string values (DS, IS), split on backslash; non-numbers become NaN. */
export function readNumbers(dataSet: DataSet, tag: string): number[] {
  const s = readString(dataSet, tag);
  if (s === undefined || s === '') return [];
  return s.split('\\').map((v) => (v.trim() === '' ? Number.NaN : Number(v.trim())));
}

export function readNumber(dataSet: DataSet, tag: string, index = 0): number | undefined {
  const v = readNumbers(dataSet, tag)[index];
  return v === undefined || !Number.isFinite(v) ? undefined : v;
}

export function sequenceItems(dataSet: DataSet, tag: string): DataSet[] {
  const el = dataSet.elements[tag];
  if (!el || !el.items) return [];
  const out: DataSet[] = [];
  for (const item of el.items) if (item.dataSet) out.push(item.dataSet);
  return out;
}
