// Typed reads of element values from a parsed DataSet: bounds-checked, VR-aware, and text decoded
// per the Specific Character Set. Tags are dicom-parser keys ("x00100010").
import type { DataSet, Element } from 'dicom-parser';
import { decodeText, parseSpecificCharacterSet } from './charset';

export const SPECIFIC_CHARACTER_SET = 'x00080005';

/** The element's value bytes (a view, not a copy), or undefined when absent, empty, a sequence or out of range. */
export function elementBytes(ds: DataSet, tag: string): Uint8Array | undefined {
  const el = ds.elements[tag];
  if (!el || el.items || el.encapsulatedPixelData) return undefined;
  return valueBytes(ds, el);
}

export function valueBytes(ds: DataSet, el: Element): Uint8Array | undefined {
  const b = ds.byteArray as Uint8Array;
  if (el.length <= 0 || el.dataOffset < 0 || el.dataOffset + el.length > b.length) return undefined;
  return b.subarray(el.dataOffset, el.dataOffset + el.length);
}

/** Terms of (0008,0005) in `ds`, else `inherited` (a sequence item inherits its parent's set). */
export function charsetOf(ds: DataSet, inherited: readonly string[] = []): string[] {
  const b = elementBytes(ds, SPECIFIC_CHARACTER_SET);
  if (!b) return [...inherited];
  // A corrupt length can make this value megabytes long: read a bounded prefix, never spread it onto the stack.
  let raw = '';
  for (const c of b.subarray(0, 1024)) raw += String.fromCharCode(c);
  return parseSpecificCharacterSet(raw.replace(/[\0 ]+$/, ''));
}

/** Default-repertoire string (CS, UI, DA, TM, AE, IS, DS...), trimmed; "" when absent. */
export function getString(ds: DataSet, tag: string): string {
  const b = elementBytes(ds, tag);
  if (!b) return '';
  // Default-repertoire values are short (UI 64, CS 16...); a corrupt length must not make this slow.
  let end = Math.min(b.length, 65536);
  const nul = b.subarray(0, end).indexOf(0);
  if (nul >= 0) end = nul;
  let s = '';
  for (let i = 0; i < end; i += 4096) s += String.fromCharCode.apply(null, b.subarray(i, Math.min(end, i + 4096)) as unknown as number[]);
  return s.trim();
}

/** The backslash-separated values of a default-repertoire string, each trimmed. */
export function getStrings(ds: DataSet, tag: string): string[] {
  const s = getString(ds, tag);
  return s === '' ? [] : s.split('\\').map((v) => v.trim());
}

/** Text in the file's character set (SH, LO, ST, LT, UT, UC, PN), trimmed at both ends; "" when absent. */
export function getText(ds: DataSet, tag: string, charset: readonly string[]): string {
  const el = ds.elements[tag];
  const b = elementBytes(ds, tag);
  if (!el || !b) return '';
  // Long text (LT 10240, UT unbounded) is for display in full elsewhere; a summary field never needs more.
  return decodeText(b.subarray(0, 1 << 20), charset, el.vr ?? 'LO').trim();
}

const BINARY_SIZE: Record<string, number> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8, UV: 8, SV: 8 };

/** All numeric values of an element: binary VRs read as such, IS/DS parsed; non-finite entries dropped. */
export function getNumbers(ds: DataSet, tag: string): number[] {
  const el = ds.elements[tag];
  if (!el || el.items) return [];
  const vr = el.vr;
  const size = vr ? BINARY_SIZE[vr] : undefined;
  if (size !== undefined) {
    const n = Math.floor(el.length / size);
    const out: number[] = [];
    for (let i = 0; i < n && i < 65536; i++) {
      let v: number | undefined;
      if (vr === 'US') v = ds.uint16(tag, i);
      else if (vr === 'SS') v = ds.int16(tag, i);
      else if (vr === 'UL') v = ds.uint32(tag, i);
      else if (vr === 'SL') v = ds.int32(tag, i);
      else if (vr === 'FL') v = ds.float(tag, i);
      else if (vr === 'FD') v = ds.double(tag, i);
      else v = read64(ds, el, i, vr === 'SV');
      if (v !== undefined && Number.isFinite(v)) out.push(v);
    }
    return out;
  }
  return getStrings(ds, tag)
    .map((s) => (s === '' ? NaN : Number(s)))
    .filter((v) => Number.isFinite(v));
}

function read64(ds: DataSet, el: Element, index: number, signed: boolean): number | undefined {
  const parser = el.parser ?? ds.byteArrayParser;
  const pos = el.dataOffset + index * 8;
  if (pos + 8 > ds.byteArray.length) return undefined;
  const little = parser.readUint16(new Uint8Array([1, 0]), 0) === 1;
  const lo = parser.readUint32(ds.byteArray, little ? pos : pos + 4);
  const hi = little ? parser.readInt32(ds.byteArray, pos + 4) : parser.readInt32(ds.byteArray, pos);
  const hiU = hi >>> 0;
  // Exact up to 2^53; beyond that the nearest double, which is what a JS number can hold.
  return signed ? hi * 2 ** 32 + lo : hiU * 2 ** 32 + lo;
}

/** First numeric value, or null. Implicit-VR elements unknown to the dictionary are read as text. */
export function getNumber(ds: DataSet, tag: string): number | null {
  const el = ds.elements[tag];
  if (!el || el.items) return null;
  const vr = el.vr;
  if (vr && BINARY_SIZE[vr] !== undefined) {
    const v = getNumbers(ds, tag)[0];
    return v === undefined ? null : v;
  }
  const s = getStrings(ds, tag)[0];
  if (s === undefined || s === '') return null;
  const v = Number(s);
  return Number.isFinite(v) ? v : null;
}

/** First value as an integer (IS or binary), or null. */
export function getInt(ds: DataSet, tag: string): number | null {
  const v = getNumber(ds, tag);
  return v === null ? null : Math.trunc(v);
}

/** Items of a sequence (each item's DataSet), [] when absent. */
export function getItems(ds: DataSet, tag: string): DataSet[] {
  const el = ds.elements[tag];
  if (!el?.items) return [];
  return el.items.flatMap((i) => (i.dataSet ? [i.dataSet] : []));
}
