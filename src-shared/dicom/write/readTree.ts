// Reads a DICOM file (Part 10 or a bare data set) into an editable element tree, keeping every value's bytes.
// Every length and offset read from the file is checked against the bytes that are there.
import { AppError } from '../../errors';
import { type DicomElement, type DicomItem, type DicomTree, ITEM, ITEM_DELIM, LONG_VRS, PIXEL_DATA, SEQ_DELIM, TS } from './elementTree';
import { coreVr } from './coreVrs';

export interface ReadTreeOptions {
  /** VR of a tag for implicit-VR input (after the built-in core table). */
  vrLookup?: (tag: number) => string | undefined;
  /** Raw DEFLATE decompressor, needed only for Deflated Explicit VR Little Endian input. */
  inflateRaw?: (bytes: Uint8Array) => Uint8Array;
  /** Refuse inputs larger than this (bytes); default 2 GiB. */
  maxBytes?: number;
}

const UNDEFINED = 0xffffffff;
const MAX_DEPTH = 64;

class Cursor {
  pos = 0;
  private dv: DataView;
  constructor(readonly bytes: Uint8Array, public little: boolean) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(n: number): void {
    if (n < 0 || this.pos + n > this.bytes.length) throw new AppError('DICOM_PARSE', `truncated data at offset ${this.pos}`);
  }
  u16(): number {
    this.need(2);
    const v = this.dv.getUint16(this.pos, this.little);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.dv.getUint32(this.pos, this.little);
    this.pos += 4;
    return v;
  }
  tag(): number {
    const g = this.u16();
    const e = this.u16();
    return ((g << 16) | e) >>> 0;
  }
  vr(): string {
    this.need(2);
    const a = this.bytes[this.pos] as number;
    const b = this.bytes[this.pos + 1] as number;
    this.pos += 2;
    return String.fromCharCode(a, b);
  }
  take(n: number): Uint8Array {
    this.need(n);
    const v = this.bytes.slice(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  peekU32At(offset: number): number | undefined {
    if (offset + 4 > this.bytes.length) return undefined;
    return this.dv.getUint32(offset, this.little);
  }
  get atEnd(): boolean {
    return this.pos >= this.bytes.length;
  }
}

interface Syntax {
  explicit: boolean;
  vrLookup: (tag: number) => string | undefined;
}

function isVrText(a: number | undefined, b: number | undefined): boolean {
  return a !== undefined && b !== undefined && a >= 0x41 && a <= 0x5a && b >= 0x41 && b <= 0x5a;
}

function readElement(c: Cursor, s: Syntax, depth: number): DicomElement {
  const tag = c.tag();
  let vr: string;
  let length: number;
  if (s.explicit) {
    vr = c.vr();
    if (!isVrText(vr.charCodeAt(0), vr.charCodeAt(1))) throw new AppError('DICOM_PARSE', `invalid VR at offset ${c.pos - 2}`);
    if (LONG_VRS.has(vr)) {
      c.u16();
      length = c.u32();
    } else length = c.u16();
  } else {
    length = c.u32();
    vr = tag >>> 16 === 0 || (tag & 0xffff) === 0 ? 'UL' : (coreVr(tag) ?? s.vrLookup(tag) ?? 'UN');
  }
  if (tag === PIXEL_DATA && length === UNDEFINED) return { tag, vr: vr === 'UN' ? 'OB' : vr, fragments: readFragments(c) };
  const looksLikeSequence = vr === 'SQ' || (length === UNDEFINED && (vr === 'UN' || !s.explicit)) || (!s.explicit && vr === 'UN' && length >= 8 && c.peekU32At(c.pos) === (c.little ? 0xe000fffe : 0xfffee000));
  if (looksLikeSequence) {
    // Undefined-length UN holds an implicit VR little endian sequence (PS3.5 6.2.2).
    const inner: Syntax = vr === 'UN' && s.explicit ? { explicit: false, vrLookup: s.vrLookup } : s;
    const wasLittle = c.little;
    if (inner !== s) c.little = true;
    const items = readItems(c, inner, length, depth + 1);
    c.little = wasLittle;
    return { tag, vr: 'SQ', items };
  }
  if (length === UNDEFINED) throw new AppError('DICOM_PARSE', `undefined length on a non-sequence element ${tag.toString(16)}`);
  return { tag, vr, value: c.take(length) };
}

function readItems(c: Cursor, s: Syntax, length: number, depth: number): DicomItem[] {
  if (depth > MAX_DEPTH) throw new AppError('DICOM_LIMIT_EXCEEDED', 'sequences nested too deep');
  const items: DicomItem[] = [];
  const end = length === UNDEFINED ? Infinity : c.pos + length;
  if (end !== Infinity) c.need(length);
  while (c.pos < end) {
    const tag = c.tag();
    const itemLength = c.u32();
    if (tag === SEQ_DELIM) break;
    if (tag !== ITEM) throw new AppError('DICOM_PARSE', `expected an item in a sequence at offset ${c.pos - 8}`);
    items.push({ elements: readElements(c, s, itemLength, depth) });
  }
  if (end !== Infinity && c.pos !== end) throw new AppError('DICOM_PARSE', 'sequence length does not match its items');
  return items;
}

function readElements(c: Cursor, s: Syntax, length: number, depth: number): DicomElement[] {
  const elements: DicomElement[] = [];
  const end = length === UNDEFINED ? Infinity : c.pos + length;
  if (end !== Infinity) c.need(length);
  while (c.pos < end && !c.atEnd) {
    if (end === Infinity) {
      const save = c.pos;
      const tag = c.tag();
      if (tag === ITEM_DELIM) {
        c.u32();
        return elements;
      }
      c.pos = save;
    }
    elements.push(readElement(c, s, depth));
  }
  if (end === Infinity) throw new AppError('DICOM_PARSE', 'item without its delimiter');
  if (c.pos !== end) throw new AppError('DICOM_PARSE', 'item length does not match its elements');
  return elements;
}

function readFragments(c: Cursor): Uint8Array[] {
  const fragments: Uint8Array[] = [];
  for (;;) {
    const tag = c.tag();
    const length = c.u32();
    if (tag === SEQ_DELIM) return fragments;
    if (tag !== ITEM || length === UNDEFINED) throw new AppError('DICOM_PARSE', 'bad fragment in encapsulated pixel data');
    fragments.push(c.take(length));
  }
}

function readTopLevel(c: Cursor, s: Syntax): DicomItem {
  const elements: DicomElement[] = [];
  while (!c.atEnd) {
    if (c.bytes.length - c.pos < 8) {
      // Trailing bytes too short to be an element: padding some writers leave.
      break;
    }
    elements.push(readElement(c, s, 0));
  }
  return { elements };
}

function ascii(bytes: Uint8Array | undefined): string {
  if (!bytes) return '';
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s.replace(/[\0 ]+$/, '');
}

export function readTree(bytes: Uint8Array, options: ReadTreeOptions = {}): DicomTree {
  if (bytes.length > (options.maxBytes ?? 2 ** 31)) throw new AppError('DICOM_LIMIT_EXCEEDED', 'file too large');
  const vrLookup = options.vrLookup ?? (() => undefined);
  const hasPreamble = bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
  const meta: DicomElement[] = [];
  let pos = 0;
  if (hasPreamble) {
    const c = new Cursor(bytes, true);
    c.pos = 132;
    while (c.bytes.length - c.pos >= 8 && c.peekU32At(c.pos) !== undefined && ((bytes[c.pos] as number) | ((bytes[c.pos + 1] as number) << 8)) === 0x0002) {
      meta.push(readElement(c, { explicit: true, vrLookup }, 0));
    }
    pos = c.pos;
  }
  let ts = ascii(meta.find((e) => e.tag === 0x00020010)?.value);
  let body = bytes.subarray(pos);
  if (!hasPreamble) {
    if (body.length < 8) throw new AppError('DICOM_NOT_DICOM', 'not a DICOM file');
    ts = isVrText(body[4], body[5]) ? TS.explicitLE : TS.implicitLE;
  }
  if (ts === TS.deflatedLE) {
    if (!options.inflateRaw) throw new AppError('DICOM_UNSUPPORTED_SYNTAX', 'deflated data set needs a decompressor');
    try {
      body = options.inflateRaw(body);
    } catch (e) {
      // The caller's decompressor (zlib) throws its own errors on corrupt streams: keep them typed.
      if (e instanceof AppError) throw e;
      throw new AppError('DICOM_PARSE', 'deflated data set does not inflate', { cause: e });
    }
  }
  const explicit = ts !== TS.implicitLE;
  const little = ts !== TS.explicitBE;
  const c = new Cursor(body, little);
  const dataSet = readTopLevel(c, { explicit, vrLookup });
  return { meta, dataSet, transferSyntaxUid: ts || TS.implicitLE, hadFileMeta: hasPreamble };
}
