// Reading and writing the text of an element. Values the de-identifier writes are ASCII, which every
// DICOM character set encodes the same way, so no charset encoder is needed to write them.
import { type DicomElement, STRING_VRS } from './elementTree';

const latin1 = new TextDecoder('latin1');

/** ASCII/Latin-1 view of the value with trailing padding removed (enough for UIDs, dates, codes). */
export function asciiValue(el: DicomElement): string {
  if (!el.value) return '';
  return latin1.decode(el.value).replace(/[\0 ]+$/, '');
}

export function asciiValues(el: DicomElement): string[] {
  const s = asciiValue(el);
  return s === '' ? [] : s.split('\\').map((v) => v.trim());
}

/** Encodes ASCII text padded to even length (UI with NUL, other text with space). */
export function encodeAscii(text: string, vr: string): Uint8Array {
  const pad = text.length % 2 === 1 ? (vr === 'UI' ? '\0' : ' ') : '';
  const s = text + pad;
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0x7f;
  return out;
}

export function isStringVr(vr: string): boolean {
  return STRING_VRS.has(vr);
}

export function stringElement(tag: number, vr: string, text: string): DicomElement {
  return { tag, vr, value: encodeAscii(text, vr) };
}
