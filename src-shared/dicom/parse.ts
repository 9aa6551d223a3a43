// DICOM Part 10 / raw data set parser producing dicom-parser-shaped DataSets.
// Every length read from the file is checked against the bytes that exist, nesting and element
// counts are capped, and every loop advances by at least one element header, so hostile input
// ends in an AppError, never an out-of-range read, a hang or an untyped throw.
import type { Element, Fragment } from 'dicom-parser';
import { Inflate, Unzlib } from 'fflate';
import { AppError } from '../errors';
import { DataSet, bigEndianParser, littleEndianParser } from './dataSet';
import { implicitVr } from './dictionary';

export interface ParseOptions {
  /** Stop before (7FE0,0010) at the top level for fast metadata reads; the element is recorded without its value. */
  untilPixelData?: boolean;
  /** Sequence nesting cap (default 64; real SR trees stay well below). */
  maxDepth?: number;
  /** Total element + item + fragment cap (default 1,000,000). */
  maxElements?: number;
  /** Cap on the inflated size of a deflated data set (default 1 GiB). */
  maxInflatedBytes?: number;
}

export interface DicomFile {
  /** The whole file as given. */
  bytes: Uint8Array;
  /** Element offsets index dataSet.byteArray, which is `bytes` except for deflated files (meta + inflated data set). */
  dataSet: DataSet;
  /** From File Meta, or inferred from the encoding when there is no meta (implicit LE, explicit LE or BE). */
  transferSyntaxUid: string;
  hasFileMeta: boolean;
  /** False when untilPixelData stopped the parse at (7FE0,0010). */
  complete: boolean;
  /** True when the file ends inside a top-level value; that value's length was cut to the bytes that exist. */
  truncated: boolean;
  /** Non-fatal oddities met while parsing (never contains values from the file). */
  warnings: string[];
}

export const TS_IMPLICIT_LE = '1.2.840.10008.1.2';
export const TS_EXPLICIT_LE = '1.2.840.10008.1.2.1';
export const TS_DEFLATED_LE = '1.2.840.10008.1.2.1.99';
export const TS_EXPLICIT_BE = '1.2.840.10008.1.2.2';
const TS_JPIP_DEFLATE = '1.2.840.10008.1.2.4.95';

const UNDEFINED = 0xffffffff;
const PIXEL_DATA = 'x7fe00010';

const KNOWN_VRS = new Set(
  'AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(' '),
);
const LONG_VRS = new Set('OB OD OF OL OV OW SQ SV UC UN UR UT UV'.split(' '));
const BULK_VRS = new Set('OB OD OF OL OV OW'.split(' '));

interface Syntax {
  little: boolean;
  explicit: boolean;
}
const IMPLICIT_LE: Syntax = { little: true, explicit: false };

function parseError(message: string): AppError {
  return new AppError('DICOM_PARSE', message);
}

const tagKeys = new Map<number, string>();
/** dicom-parser's "xggggeeee" key; cached because the same few hundred tags recur in every file. */
function tagKey(group: number, element: number): string {
  const n = group * 0x10000 + element;
  let k = tagKeys.get(n);
  if (k === undefined) {
    k = 'x' + n.toString(16).padStart(8, '0');
    if (tagKeys.size < 20_000) tagKeys.set(n, k);
  }
  return k;
}

function tagLabel(group: number, element: number): string {
  const h = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');
  return `(${h(group)},${h(element)})`;
}

class Parser {
  private readonly dv: DataView;
  private count = 0;
  private readonly maxDepth: number;
  private readonly maxElements: number;
  private warnedVr = false;
  stoppedAtPixelData = false;
  truncated = false;

  constructor(
    readonly b: Uint8Array,
    readonly opts: ParseOptions,
    readonly warnings: string[],
  ) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    this.maxDepth = opts.maxDepth ?? 64;
    this.maxElements = opts.maxElements ?? 1_000_000;
  }

  u16(p: number, little: boolean): number {
    return this.dv.getUint16(p, little);
  }
  u32(p: number, little: boolean): number {
    return this.dv.getUint32(p, little);
  }

  /** Warnings are deduplicated and capped: a hostile file must not grow them without bound. */
  warn(message: string): void {
    if (this.warnings.length < 64 && !this.warnings.includes(message)) this.warnings.push(message);
  }

  private bump(): void {
    if (++this.count > this.maxElements) {
      throw new AppError('DICOM_LIMIT_EXCEEDED', `more than ${this.maxElements} elements`);
    }
  }

  vrAt(p: number): string | null {
    if (p + 2 > this.b.length) return null;
    const a = this.b[p] as number;
    const c = this.b[p + 1] as number;
    if (a < 0x41 || a > 0x5a || c < 0x41 || c > 0x5a) return null;
    return String.fromCharCode(a, c);
  }

  /**
   * Parses elements in [pos, end). With `inItem`, an item delimiter ends the data set and the
   * position after it is returned; a sequence delimiter (missing item delimiter) ends it without
   * being consumed. Returns the position where parsing stopped.
   */
  parseDataSet(
    elements: Record<string, Element>,
    pos: number,
    end: number,
    syn: Syntax,
    depth: number,
    inItem: boolean,
  ): { next: number; contentEnd: number } {
    const { little } = syn;
    while (pos < end) {
      if (end - pos < 8) {
        const rest = this.b.subarray(pos, end);
        if (rest.some((x) => x !== 0)) this.warn(`${end - pos} trailing bytes ignored`);
        return { next: end, contentEnd: end };
      }
      const group = this.u16(pos, little);
      const elNo = this.u16(pos + 2, little);
      if (group === 0xfffe) {
        if (elNo === 0xe00d) {
          if (inItem) return { next: pos + 8, contentEnd: pos };
          this.warn('stray item delimiter skipped');
          pos += 8;
          continue;
        }
        if (elNo === 0xe0dd) {
          if (inItem) {
            this.warn('item without item delimiter');
            return { next: pos, contentEnd: pos };
          }
          this.warn('stray sequence delimiter skipped');
          pos += 8;
          continue;
        }
        throw parseError(`unexpected item tag ${tagLabel(group, elNo)} in a data set at offset ${pos}`);
      }
      if (this.opts.untilPixelData && depth === 0 && group === 0x7fe0 && elNo === 0x0010) {
        const px = this.readHeader(pos, end, syn, group, elNo);
        this.bump();
        if (px.length === UNDEFINED) {
          px.hadUndefinedLength = true;
          px.encapsulatedPixelData = true;
        }
        px.length = Math.min(px.length, Math.max(0, end - px.dataOffset));
        elements[px.tag] = px;
        this.stoppedAtPixelData = true;
        return { next: end, contentEnd: end };
      }
      const el = this.readHeader(pos, end, syn, group, elNo);
      this.bump();
      pos = this.readValue(el, end, syn, depth, group);
      elements[el.tag] = el;
    }
    if (inItem) this.warn('item of undefined length ran to the end of its container');
    return { next: end, contentEnd: end };
  }

  private readHeader(pos: number, end: number, syn: Syntax, group: number, elNo: number): Element {
    const { little } = syn;
    let vr: string | undefined;
    let length: number;
    let dataOffset: number;
    if (!syn.explicit) {
      vr = implicitVr(group, elNo);
      length = this.u32(pos + 4, little);
      dataOffset = pos + 8;
    } else {
      const fileVr = this.vrAt(pos + 4);
      if (fileVr !== null && KNOWN_VRS.has(fileVr)) vr = fileVr;
      else {
        // Like DCMTK: an unknown VR keeps the short (2-byte) length form; the dictionary supplies the VR.
        if (!this.warnedVr) {
          this.warnedVr = true;
          this.warn(`element ${tagLabel(group, elNo)} has a non-standard VR; assuming a 2-byte length`);
        }
        vr = implicitVr(group, elNo) ?? 'UN';
      }
      if (fileVr !== null && LONG_VRS.has(fileVr)) {
        if (pos + 12 > end) throw parseError(`element header ${tagLabel(group, elNo)} truncated`);
        length = this.u32(pos + 8, little);
        dataOffset = pos + 12;
        if (fileVr === 'UN' && length !== UNDEFINED) {
          // Written by a system that did not know the tag: take the dictionary's VR (as pydicom and
          // DCMTK do) so values read as what they are; SQ and unknown tags stay UN (sequences are probed).
          const known = implicitVr(group, elNo);
          if (known !== undefined && known !== 'SQ') vr = known;
        }
      } else {
        length = this.u16(pos + 6, little);
        dataOffset = pos + 8;
      }
    }
    return { tag: tagKey(group, elNo), vr, length, dataOffset };
  }

  /** Reads the value of `el` (header already read); returns the position after it. */
  private readValue(el: Element, end: number, syn: Syntax, depth: number, group: number): number {
    const start = el.dataOffset;
    const vr = el.vr;
    if (el.length === UNDEFINED) {
      el.hadUndefinedLength = true;
      if (vr === 'SQ') return this.readSequence(el, start, end, true, syn, depth);
      if (vr === 'UN' || vr === undefined) {
        // UN of undefined length is a sequence in implicit VR LE (PS3.5 6.2.2); implicit undefined likewise.
        if (el.tag === PIXEL_DATA && vr !== 'UN') return this.readEncapsulated(el, start, end, syn);
        el.vr = 'SQ';
        return this.readSequence(el, start, end, true, vr === 'UN' ? IMPLICIT_LE : syn, depth);
      }
      if (vr !== undefined && BULK_VRS.has(vr)) return this.readEncapsulated(el, start, end, syn);
      throw parseError(`undefined length on ${vr} element ${el.tag}`);
    }
    let valueEnd = start + el.length;
    if (valueEnd > end && vr === 'SQ') {
      this.warn(`sequence ${el.tag} overruns its container; read to the container's end`);
      if (end === this.b.length) this.truncated = true;
      valueEnd = end;
      el.length = end - start;
    }
    if (valueEnd > end) {
      if (end === this.b.length && start <= end) {
        // A file cut short (or garbage claiming a huge length): keep what exists, flag it, and let
        // consumers (pixel decoding) refuse the short value. Only at the end of the file, where
        // nothing can follow; inside a bounded container an overrun is a structural error.
        this.warn(`value of ${el.tag} truncated: needs ${el.length} bytes, ${end - start} available`);
        this.truncated = true;
        el.length = end - start;
        return end;
      }
      throw parseError(
        `value of ${el.tag} needs ${el.length} bytes at offset ${start}, only ${Math.max(0, end - start)} available`,
      );
    }
    if (vr === 'SQ' && !syn.explicit && el.length > 0 && !this.looksLikeSequence(start, valueEnd, syn.little, valueEnd === this.b.length)) {
      // The dictionary says SQ but the bytes are not items (an older VR of the tag, e.g. (0040,A170) as CS).
      this.warn(`implicit VR element ${el.tag} is not a sequence though the dictionary says SQ`);
      el.vr = 'UN';
      return valueEnd;
    }
    if (vr === 'SQ') return this.readSequence(el, start, valueEnd, false, syn, depth);
    if ((vr === undefined || vr === 'UN') && group !== 0x7fe0 && this.looksLikeSequence(start, valueEnd, vr === 'UN' ? true : syn.little)) {
      // Private or unknown sequences in implicit VR, and sequences written as UN: try, keep bytes if not.
      const saveCount = this.count;
      const saveWarn = this.warnings.length;
      const saveTruncated = this.truncated;
      try {
        const probe: Element = { ...el };
        this.readSequence(probe, start, valueEnd, false, vr === 'UN' ? IMPLICIT_LE : syn, depth);
        el.items = probe.items;
        el.vr = 'SQ';
      } catch (e) {
        if (e instanceof AppError && e.code === 'DICOM_LIMIT_EXCEEDED') throw e;
        this.count = saveCount;
        this.warnings.length = saveWarn;
        this.truncated = saveTruncated;
      }
    }
    return valueEnd;
  }

  /**
   * Some writers (Philips, fo-dicom GH626) put explicit VR items inside implicit VR files, or the
   * reverse. Judge by the item's first element: a known VR whose implicit reading would overrun
   * the item means explicit; no valid VR means implicit.
   */
  private itemSyntax(start: number, end: number, syn: Syntax): Syntax {
    if (!syn.little || end - start < 8) return syn;
    const g = this.u16(start, true);
    if (g === 0xfffe) return syn;
    const vr = this.vrAt(start + 4);
    const known = vr !== null && KNOWN_VRS.has(vr);
    if (!syn.explicit && known) {
      const implicitLen = this.u32(start + 4, true);
      if (implicitLen !== UNDEFINED && implicitLen > end - start - 8) {
        this.warn('explicit VR item inside an implicit VR data set');
        return { little: true, explicit: true };
      }
    } else if (syn.explicit && !known) {
      const implicitLen = this.u32(start + 4, true);
      if (implicitLen === UNDEFINED || implicitLen <= end - start - 8) {
        this.warn('implicit VR item inside an explicit VR data set');
        return IMPLICIT_LE;
      }
    }
    return syn;
  }

  private looksLikeSequence(start: number, end: number, little: boolean, atFileEnd = false): boolean {
    if (end - start < 8) return false;
    if (this.u16(start, little) !== 0xfffe || this.u16(start + 2, little) !== 0xe000) return false;
    const len = this.u32(start + 4, little);
    return len === UNDEFINED || len <= end - start - 8 || atFileEnd;
  }

  private readSequence(el: Element, start: number, end: number, undefinedLength: boolean, syn: Syntax, depth: number): number {
    if (depth + 1 > this.maxDepth) {
      throw new AppError('DICOM_LIMIT_EXCEEDED', `sequences nested deeper than ${this.maxDepth}`);
    }
    const items: Element[] = [];
    el.items = items;
    const { little } = syn;
    let pos = start;
    for (;;) {
      if (end - pos < 8) {
        if (undefinedLength) {
          this.warn(`sequence ${el.tag} has no sequence delimiter`);
          el.length = Math.min(pos, end) - start;
        } else if (pos < end) this.warn(`sequence ${el.tag} ends with ${end - pos} stray bytes`);
        return end;
      }
      const g = this.u16(pos, little);
      const e = this.u16(pos + 2, little);
      if (g !== 0xfffe) throw parseError(`sequence ${el.tag} holds a non-item tag at offset ${pos}`);
      if (e === 0xe0dd) {
        if (undefinedLength) {
          el.length = pos - start;
          return pos + 8;
        }
        this.warn(`sequence delimiter inside defined-length sequence ${el.tag}`);
        pos += 8;
        continue;
      }
      if (e === 0xe00d) {
        this.warn(`stray item delimiter in sequence ${el.tag}`);
        pos += 8;
        continue;
      }
      if (e !== 0xe000) throw parseError(`sequence ${el.tag} holds an unexpected tag at offset ${pos}`);
      this.bump();
      const itemLen = this.u32(pos + 4, little);
      const dataOffset = pos + 8;
      const elements: Record<string, Element> = {};
      const item: Element = { tag: 'xfffee000', length: itemLen, dataOffset };
      const itemSyn = this.itemSyntax(dataOffset, itemLen === UNDEFINED ? end : Math.min(end, dataOffset + itemLen), syn);
      if (itemLen === UNDEFINED) {
        item.hadUndefinedLength = true;
        const r = this.parseDataSet(elements, dataOffset, end, itemSyn, depth + 1, true);
        item.length = r.contentEnd - dataOffset;
        pos = r.next;
      } else {
        let itemEnd = dataOffset + itemLen;
        if (itemLen > end - dataOffset) {
          // DCMTK reads such an item up to the end of its container; so do we, with a warning.
          this.warn(`item in ${el.tag} overruns its container; read to the container's end`);
          if (end === this.b.length) this.truncated = true;
          itemEnd = end;
        }
        this.parseDataSet(elements, dataOffset, itemEnd, itemSyn, depth + 1, false);
        pos = itemEnd;
      }
      const ds = new DataSet(itemSyn.little ? littleEndianParser : bigEndianParser, this.b, elements);
      item.dataSet = ds;
      items.push(item);
    }
  }

  private readEncapsulated(el: Element, start: number, end: number, syn: Syntax): number {
    const { little } = syn;
    el.encapsulatedPixelData = true;
    const bot: number[] = [];
    const fragments: Fragment[] = [];
    el.basicOffsetTable = bot;
    el.fragments = fragments;
    let pos = start;
    if (end - pos < 8) throw parseError(`encapsulated ${el.tag} truncated`);
    if (this.u16(pos, little) !== 0xfffe || this.u16(pos + 2, little) !== 0xe000) {
      throw parseError(`encapsulated ${el.tag} lacks the basic offset table item`);
    }
    const botLen = this.u32(pos + 4, little);
    if (botLen > end - pos - 8) throw parseError(`basic offset table of ${el.tag} overruns the file`);
    if (botLen % 4 !== 0) this.warn(`basic offset table length ${botLen} is not a multiple of 4`);
    for (let i = 0; i + 4 <= botLen; i += 4) {
      this.bump();
      bot.push(this.u32(pos + 8 + i, little));
    }
    pos += 8 + botLen;
    const base = pos;
    while (end - pos >= 8) {
      const g = this.u16(pos, little);
      const e = this.u16(pos + 2, little);
      const len = this.u32(pos + 4, little);
      if (g === 0xfffe && e === 0xe0dd) {
        el.length = pos + 8 - start;
        return pos + 8;
      }
      if (g !== 0xfffe || e !== 0xe000) throw parseError(`unexpected tag among the fragments of ${el.tag} at offset ${pos}`);
      if (len === UNDEFINED || len > end - pos - 8) throw parseError(`fragment of ${el.tag} overruns the file at offset ${pos}`);
      this.bump();
      fragments.push({ offset: pos - base, position: pos + 8, length: len });
      pos += 8 + len;
    }
    this.warn(`encapsulated ${el.tag} has no sequence delimiter`);
    el.length = pos - start;
    return pos;
  }
}

/** Pixel-value attributes whose VR is US or SS by PixelRepresentation (PS3.6 "US or SS"; descriptors stay US). */
const PIXEL_VALUE_TAGS = [
  'x00280106', 'x00280107', 'x00280108', 'x00280109', 'x00280120', 'x00280121', 'x00280104', 'x00280105',
  'x00280110', 'x00280111', 'x00280071', 'x00189810', 'x00221452', 'x00603004', 'x00603006', 'x00409211', 'x00409216',
];

function isMagic(b: Uint8Array, at: number): boolean {
  return b.length >= at + 4 && b[at] === 0x44 && b[at + 1] === 0x49 && b[at + 2] === 0x43 && b[at + 3] === 0x4d;
}

function cleanUid(s: string): string {
  return s.replace(/[\0 ]+$/g, '').trim();
}

/** Guesses the encoding of a data set starting at `pos` (no File Meta, or meta without a transfer syntax). */
function inferSyntax(p: Parser, pos: number): Syntax | null {
  const b = p.b;
  if (b.length - pos < 8) return null;
  const vr = p.vrAt(pos + 4);
  const gLe = p.u16(pos, true);
  const gBe = p.u16(pos, false);
  if (vr !== null && KNOWN_VRS.has(vr)) {
    if (gBe < gLe && gBe <= 0x0028) return { little: false, explicit: true };
    if (gLe <= 0x0028) return { little: true, explicit: true };
  }
  const eLe = p.u16(pos + 2, true);
  const len = p.u32(pos + 4, true);
  const plausibleGroup = gLe % 2 === 0 && gLe <= 0x0028;
  const plausibleLen = len === UNDEFINED || len <= b.length - pos - 8;
  if (gLe === 0 && !(eLe === 0 && len === 4)) return null;
  if (plausibleGroup && plausibleLen) return IMPLICIT_LE;
  return null;
}

function syntaxFor(ts: string): Syntax {
  if (ts === TS_IMPLICIT_LE) return IMPLICIT_LE;
  if (ts === TS_EXPLICIT_BE) return { little: false, explicit: true };
  return { little: true, explicit: true };
}

function inflate(raw: Uint8Array, max: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const onData = (chunk: Uint8Array) => {
    total += chunk.length;
    if (total > max) throw new AppError('DICOM_LIMIT_EXCEEDED', `deflated data set inflates beyond ${max} bytes`);
    chunks.push(chunk);
  };
  // Some writers wrap the deflate stream in zlib framing though PS3.5 A.5 says raw deflate.
  const zlibWrapped = raw.length >= 2 && ((raw[0] as number) & 0x0f) === 8 && (((raw[0] as number) << 8) | (raw[1] as number)) % 31 === 0;
  try {
    const s = zlibWrapped ? new Unzlib(onData) : new Inflate(onData);
    s.push(raw, true);
  } catch (e) {
    if (e instanceof AppError) throw e;
    if (!zlibWrapped) throw new AppError('DICOM_PARSE', 'deflated data set does not inflate', { cause: e });
    chunks.length = 0;
    total = 0;
    try {
      new Inflate(onData).push(raw, true);
    } catch (e2) {
      if (e2 instanceof AppError) throw e2;
      throw new AppError('DICOM_PARSE', 'deflated data set does not inflate', { cause: e2 });
    }
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/**
 * Parses a DICOM file (Part 10 with or without preamble, or a raw data set).
 * Throws AppError: DICOM_NOT_DICOM (not recognisably DICOM), DICOM_PARSE (malformed),
 * DICOM_LIMIT_EXCEEDED (nesting / element count / inflation caps).
 */
export function parseDicom(bytes: Uint8Array, options: ParseOptions = {}): DicomFile {
  try {
    // A Node Buffer is a Uint8Array whose slice() shares memory; downstream code relies on slice() copying,
    // so work on a plain Uint8Array view of the same bytes.
    const plain = bytes instanceof Uint8Array && bytes.constructor !== Uint8Array ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes;
    return parseInner(plain, options);
  } catch (e) {
    if (e instanceof AppError) throw e;
    // RangeError from a DataView read or stack exhaustion: still a malformed file, still typed.
    throw new AppError('DICOM_PARSE', 'malformed DICOM data', { cause: e });
  }
}

function parseInner(bytes: Uint8Array, options: ParseOptions): DicomFile {
  if (!(bytes instanceof Uint8Array)) throw new AppError('DICOM_NOT_DICOM', 'input is not a byte array');
  const warnings: string[] = [];
  const p0 = new Parser(bytes, options, warnings);
  let metaStart = -1;
  if (isMagic(bytes, 128)) metaStart = 132;
  else if (isMagic(bytes, 0)) {
    metaStart = 4;
    warnings.push('no preamble');
  } else if (bytes.length >= 8 && p0.u16(0, true) === 0x0002 && p0.vrAt(4) !== null) {
    metaStart = 0;
    warnings.push('no preamble and no DICM prefix');
  }

  const metaElements: Record<string, Element> = {};
  let pos = 0;
  let ts = '';
  if (metaStart >= 0) {
    pos = metaStart;
    while (bytes.length - pos >= 8 && p0.u16(pos, true) === 0x0002) {
      // Meta is explicit VR LE by definition; parseDataSet reads one element per pass when bounded to it.
      const one: Record<string, Element> = {};
      const vr = p0.vrAt(pos + 4);
      const long = vr !== null && LONG_VRS.has(vr);
      const hdr = vr !== null && KNOWN_VRS.has(vr) ? (long ? 12 : 8) : 8;
      if (pos + hdr > bytes.length) throw parseError('file meta truncated');
      const len = vr !== null && KNOWN_VRS.has(vr) ? (long ? p0.u32(pos + 8, true) : p0.u16(pos + 6, true)) : p0.u32(pos + 4, true);
      if (len === UNDEFINED || pos + hdr + len > bytes.length) throw parseError('file meta element overruns the file');
      p0.parseDataSet(one, pos, pos + hdr + len, { little: true, explicit: true }, 0, false);
      Object.assign(metaElements, one);
      pos += hdr + len;
    }
    const tsEl = metaElements['x00020010'];
    if (tsEl) ts = cleanUid(new DataSet(littleEndianParser, bytes, metaElements).string('x00020010') ?? '');
    if (Object.keys(metaElements).length === 0) {
      // "DICM" can occur by chance at 128 inside a raw data set (dcm4che no_preamble_dicm_in_data).
      if (metaStart === 132 && inferSyntax(p0, 0)) {
        pos = 0;
        warnings.push('DICM at offset 128 is data, not a prefix');
      } else warnings.push('DICM prefix without file meta elements');
    }
  }
  const hasFileMeta = Object.keys(metaElements).length > 0;

  let syn: Syntax;
  if (ts) {
    syn = syntaxFor(ts);
  } else {
    const guess = inferSyntax(p0, pos);
    if (guess) syn = guess;
    else if (metaStart < 0) throw new AppError('DICOM_NOT_DICOM', 'no DICM prefix and no recognisable data set');
    // With a File Meta but no transfer syntax, the PS3.5 default: implicit VR little endian.
    else syn = IMPLICIT_LE;
    ts = !syn.explicit ? TS_IMPLICIT_LE : syn.little ? TS_EXPLICIT_LE : TS_EXPLICIT_BE;
    if (hasFileMeta) warnings.push('file meta has no transfer syntax; inferred from the data');
  }

  let data = bytes;
  let p = p0;
  if (ts === TS_DEFLATED_LE || ts === TS_JPIP_DEFLATE) {
    const inflated = inflate(bytes.subarray(pos), options.maxInflatedBytes ?? 1 << 30);
    data = new Uint8Array(pos + inflated.length);
    data.set(bytes.subarray(0, pos), 0);
    data.set(inflated, pos);
    p = new Parser(data, options, warnings);
  } else if (syn.little && bytes.length - pos >= 8) {
    // Some writers declare one VR encoding and use the other; follow the bytes, as dcmtk and pydicom do.
    const vr = p.vrAt(pos + 4);
    const looksExplicit = vr !== null && KNOWN_VRS.has(vr);
    if (syn.explicit && !looksExplicit && inferSyntax(p, pos) === IMPLICIT_LE) {
      warnings.push('transfer syntax says explicit VR but the data set is implicit VR');
      syn = IMPLICIT_LE;
    } else if (!syn.explicit && looksExplicit && p.u16(pos, true) !== 0x7fe0) {
      const len = p.u32(pos + 4, true);
      if (len > bytes.length - pos - 8 && len !== UNDEFINED) {
        warnings.push('transfer syntax says implicit VR but the data set is explicit VR');
        syn = { little: true, explicit: true };
      }
    }
  }

  const elements: Record<string, Element> = {};
  p.parseDataSet(elements, pos, data.length, syn, 0, false);
  // Meta elements are LE even in a BE file: give them their own parser, like dicom-parser does.
  // Group 0002 inside the data set is invalid (orthanc PrivateTags.dcm): the File Meta wins.
  if (Object.keys(elements).some((k) => k.startsWith('x0002'))) warnings.push('group 0002 elements inside the data set');
  for (const [k, el] of Object.entries(metaElements)) {
    if (!syn.little) el.parser = littleEndianParser;
    elements[k] = el;
  }
  if (Object.keys(elements).length === 0) throw new AppError('DICOM_NOT_DICOM', 'no DICOM elements found');
  const dataSet = new DataSet(syn.little ? littleEndianParser : bigEndianParser, data, elements);
  // Implicit VR carries no VR: signed images' pixel-value attributes are SS, as pydicom and DCMTK resolve them.
  if (!syn.explicit && dataSet.uint16('x00280103') === 1) {
    for (const t of PIXEL_VALUE_TAGS) {
      const el = elements[t];
      if (el?.vr === 'US') el.vr = 'SS';
    }
  }
  dataSet.warnings = warnings;
  return { bytes, dataSet, transferSyntaxUid: ts, hasFileMeta, complete: !p.stoppedAtPixelData, truncated: p.truncated, warnings };
}
