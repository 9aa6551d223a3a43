// Serializes an element tree to a DICOM Part 10 file. Sequences and items are written with undefined length
// (so no length needs recomputing when items change); encapsulated pixel data is written fragment by fragment;
// every other value is copied as it is, so pixel data stays byte-identical.
import { AppError } from '../../errors';
import { type DicomElement, type DicomItem, type DicomTree, ITEM, ITEM_DELIM, LONG_VRS, SEQ_DELIM, TS, groupOf } from './elementTree';
import { encodeAscii } from './stringValues';

/** Enclave's implementation class UID (2.25 form, fixed) and version name, written in every file meta header. */
export const IMPLEMENTATION_CLASS_UID = '2.25.171072366240931880196366262962466183946';
export const IMPLEMENTATION_VERSION_NAME = 'ENCLAVE_0_1';

class Sink {
  private chunks: Uint8Array[] = [];
  private cur = new Uint8Array(1 << 16);
  private dv = new DataView(this.cur.buffer);
  private n = 0;
  size = 0;
  constructor(private little: boolean) {}
  private room(k: number): void {
    if (this.n + k > this.cur.length) {
      this.chunks.push(this.cur.subarray(0, this.n));
      this.cur = new Uint8Array(Math.max(1 << 16, k));
      this.dv = new DataView(this.cur.buffer);
      this.n = 0;
    }
  }
  u16(v: number): void {
    this.room(2);
    this.dv.setUint16(this.n, v, this.little);
    this.n += 2;
    this.size += 2;
  }
  u32(v: number): void {
    this.room(4);
    this.dv.setUint32(this.n, v >>> 0, this.little);
    this.n += 4;
    this.size += 4;
  }
  bytes(b: Uint8Array): void {
    if (b.length > 1 << 16) {
      this.chunks.push(this.cur.subarray(0, this.n), b);
      this.cur = new Uint8Array(1 << 16);
      this.dv = new DataView(this.cur.buffer);
      this.n = 0;
    } else {
      this.room(b.length);
      this.cur.set(b, this.n);
      this.n += b.length;
    }
    this.size += b.length;
  }
  tag(t: number): void {
    this.u16(t >>> 16);
    this.u16(t & 0xffff);
  }
  result(): Uint8Array {
    this.chunks.push(this.cur.subarray(0, this.n));
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

function padValue(el: DicomElement): Uint8Array {
  const v = el.value ?? new Uint8Array(0);
  if (v.length % 2 === 0) return v;
  const out = new Uint8Array(v.length + 1);
  out.set(v);
  out[v.length] = el.vr === 'UI' || !/^(AE|AS|CS|DA|DS|DT|IS|LO|LT|PN|SH|ST|TM|UC|UR|UT)$/.test(el.vr) ? 0 : 0x20;
  return out;
}

function writeHeader(s: Sink, explicit: boolean, tag: number, vr: string, length: number): void {
  s.tag(tag);
  if (!explicit) {
    s.u32(length);
    return;
  }
  s.bytes(new Uint8Array([vr.charCodeAt(0), vr.charCodeAt(1)]));
  if (LONG_VRS.has(vr)) {
    s.u16(0);
    s.u32(length);
  } else {
    if (length > 0xffff) throw new AppError('INTERNAL', `value too long for VR ${vr}`);
    s.u16(length);
  }
}

function writeElement(s: Sink, explicit: boolean, el: DicomElement): void {
  if (el.items) {
    writeHeader(s, explicit, el.tag, 'SQ', 0xffffffff);
    for (const item of el.items) {
      s.tag(ITEM);
      s.u32(0xffffffff);
      writeElements(s, explicit, item);
      s.tag(ITEM_DELIM);
      s.u32(0);
    }
    s.tag(SEQ_DELIM);
    s.u32(0);
    return;
  }
  if (el.fragments) {
    writeHeader(s, explicit, el.tag, el.vr === 'OW' ? 'OB' : el.vr, 0xffffffff);
    for (const f of el.fragments) {
      s.tag(ITEM);
      s.u32(f.length);
      s.bytes(f);
    }
    s.tag(SEQ_DELIM);
    s.u32(0);
    return;
  }
  let vr = el.vr;
  // A short-form VR cannot carry more than 64 KiB: such values (seen in the wild) go out as UN.
  if (explicit && !LONG_VRS.has(vr) && (el.value?.length ?? 0) > 0xfffe) vr = 'UN';
  const v = padValue(el);
  writeHeader(s, explicit, el.tag, vr, v.length);
  s.bytes(v);
}

function writeElements(s: Sink, explicit: boolean, item: DicomItem): void {
  const sorted = [...item.elements].sort((a, b) => a.tag - b.tag);
  for (const el of sorted) {
    // Group lengths are retired outside the meta header and would be wrong after edits.
    if ((el.tag & 0xffff) === 0 && groupOf(el.tag) !== 0x0002) continue;
    writeElement(s, explicit, el);
  }
}

/** The transfer syntax a tree is written in: its own, except deflated input, which is written inflated. */
export function outputTransferSyntax(tree: DicomTree): string {
  return tree.transferSyntaxUid === TS.deflatedLE ? TS.explicitLE : tree.transferSyntaxUid;
}

function metaValue(tree: DicomTree, tag: number): Uint8Array | undefined {
  return tree.meta.find((e) => e.tag === tag)?.value;
}

function dataSetValue(tree: DicomTree, tag: number): Uint8Array | undefined {
  return tree.dataSet.elements.find((e) => e.tag === tag)?.value;
}

function asText(v: Uint8Array | undefined): string {
  if (!v) return '';
  let s = '';
  for (const b of v) s += String.fromCharCode(b);
  return s.replace(/[\0 ]+$/, '');
}

/** Builds the meta header from the data set (SOP class/instance) so it always agrees with it. */
export function buildMeta(tree: DicomTree): DicomElement[] {
  const sopClass = asText(dataSetValue(tree, 0x00080016)) || asText(metaValue(tree, 0x00020002));
  const sopInstance = asText(dataSetValue(tree, 0x00080018)) || asText(metaValue(tree, 0x00020003));
  return [
    { tag: 0x00020001, vr: 'OB', value: new Uint8Array([0, 1]) },
    { tag: 0x00020002, vr: 'UI', value: encodeAscii(sopClass, 'UI') },
    { tag: 0x00020003, vr: 'UI', value: encodeAscii(sopInstance, 'UI') },
    { tag: 0x00020010, vr: 'UI', value: encodeAscii(outputTransferSyntax(tree), 'UI') },
    { tag: 0x00020012, vr: 'UI', value: encodeAscii(IMPLEMENTATION_CLASS_UID, 'UI') },
    { tag: 0x00020013, vr: 'SH', value: encodeAscii(IMPLEMENTATION_VERSION_NAME, 'SH') },
  ];
}

/** Writes a Part 10 file: preamble, a fresh meta header (see buildMeta), then the data set. */
export function writeTree(tree: DicomTree): Uint8Array {
  const ts = outputTransferSyntax(tree);
  const metaSink = new Sink(true);
  for (const el of buildMeta(tree)) writeElement(metaSink, true, el);
  const metaBytes = metaSink.result();
  const body = new Sink(ts !== TS.explicitBE);
  writeElements(body, ts !== TS.implicitLE, tree.dataSet);
  const bodyBytes = body.result();
  const head = new Sink(true);
  head.bytes(new Uint8Array(128));
  head.bytes(new Uint8Array([0x44, 0x49, 0x43, 0x4d]));
  writeHeader(head, true, 0x00020000, 'UL', 4);
  head.u32(metaBytes.length);
  const headBytes = head.result();
  const out = new Uint8Array(headBytes.length + metaBytes.length + bodyBytes.length);
  out.set(headBytes, 0);
  out.set(metaBytes, headBytes.length);
  out.set(bodyBytes, headBytes.length + metaBytes.length);
  return out;
}
