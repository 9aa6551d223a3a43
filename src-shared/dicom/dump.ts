// A tag tree for `enclave dump` and the tag browser: names from the public dictionary (private data
// elements: from their block's private creator and DCMTK's private dictionary), text decoded per the
// Specific Character Set (inherited into sequence items unless an item declares its own).
// A hostile file must not make a giant tree: nodes, items and value characters are all budgeted.
import type { DataSet, Element } from 'dicom-parser';
import type { DicomFile } from './parse';
import { CHARSET_VRS, decodeText } from './charset';
import { lookupTag } from './dictionary';
import { charsetOf, valueBytes } from './elements';
import { lookupPrivateTag, privateCreatorTag, type PrivateTagInfo } from './privateDictionary';

export interface DumpNode {
  /** "(0010,0010)". */
  tag: string;
  /** VR from the file (explicit VR) or the dictionary (implicit VR); "" when unknown. */
  vr: string;
  keyword: string;
  name: string;
  /** Value length in bytes as parsed (undefined-length sequences: the bytes of their items). */
  length: number;
  /** Decoded text (strings), numbers joined with "\", or a byte summary; truncated to `maxValueChars`. */
  value: string;
  private: boolean;
  /** Private data elements: the creator string of their block, when the file has one. */
  creator?: string;
  /** The value was cut (longer than `maxValueChars`, or the tree's character budget ran out). */
  clipped?: true;
  /** Sequence items, each a list of nodes (fewer than the sequence has when the node budget ran out). */
  items?: DumpNode[][];
  /** Encapsulated pixel data: the number of fragments. */
  fragments?: number;
}

export interface DumpOptions {
  /** Longest value preview (default 96 characters). */
  maxValueChars?: number;
  /** Stop listing after this many nodes and items in total (default 100,000). */
  maxNodes?: number;
  /** Value characters in the whole tree (default unlimited); values after the budget is spent are left empty. */
  maxTotalValueChars?: number;
}

export interface DumpTree {
  nodes: DumpNode[];
  /** True when a budget cut the tree short (nodes or items left out, or values emptied). */
  truncated: boolean;
}

const STRING_VRS = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'TM', 'UI', 'UR', ...CHARSET_VRS]);
const NUMBER_SIZE: Record<string, number> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8, AT: 4, UV: 8, SV: 8 };
/** Pixel Data, Float and Double Float Pixel Data: a size only, never their bytes. */
const PIXEL_TAGS = new Set(['x7fe00010', 'x7fe00008', 'x7fe00009']);

function label(tag: string): string {
  const h = tag.slice(1).toUpperCase();
  return `(${h.slice(0, 4)},${h.slice(4)})`;
}

/** The shortest decimal that reads back as the same float32 (0.1f shows "0.1", not 0.10000000149011612). */
function float32Text(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  for (let p = 1; p < 9; p++) {
    const s = String(Number(v.toPrecision(p)));
    if (Math.fround(Number(s)) === v) return s;
  }
  return String(v);
}

function numbers(ds: DataSet, el: Element, vr: string, max: number): string {
  const size = NUMBER_SIZE[vr] as number;
  const parser = el.parser ?? ds.byteArrayParser;
  const b = ds.byteArray;
  const little = parser.readUint16(new Uint8Array([1, 0]), 0) === 1;
  const n = Math.floor(el.length / size);
  const out: string[] = [];
  let len = 0;
  for (let i = 0; i < n && len <= max; i++) {
    const p = el.dataOffset + i * size;
    if (p + size > b.length) break;
    let v: string;
    switch (vr) {
      case 'US':
        v = String(parser.readUint16(b, p));
        break;
      case 'SS':
        v = String(parser.readInt16(b, p));
        break;
      case 'UL':
        v = String(parser.readUint32(b, p));
        break;
      case 'SL':
        v = String(parser.readInt32(b, p));
        break;
      case 'FL':
        v = float32Text(parser.readFloat(b, p));
        break;
      case 'FD':
        v = String(parser.readDouble(b, p));
        break;
      case 'UV':
      case 'SV': {
        const view = new DataView(b.buffer, b.byteOffset + p, 8);
        v = String(vr === 'UV' ? view.getBigUint64(0, little) : view.getBigInt64(0, little));
        break;
      }
      default: {
        const g = parser.readUint16(b, p).toString(16).toUpperCase().padStart(4, '0');
        const e = parser.readUint16(b, p + 2).toString(16).toUpperCase().padStart(4, '0');
        v = `(${g},${e})`;
      }
    }
    out.push(v);
    len += v.length + 1;
  }
  return out.join('\\');
}

/** The value as text; `cut` when only a prefix of the bytes was decoded. */
function preview(ds: DataSet, el: Element, vr: string, charset: readonly string[], max: number): { text: string; cut: boolean } {
  if (el.encapsulatedPixelData) return { text: `encapsulated, ${el.fragments?.length ?? 0} fragment(s)`, cut: false };
  if (PIXEL_TAGS.has(el.tag)) return { text: `${el.length} bytes`, cut: false };
  const bytes = valueBytes(ds, el);
  if (!bytes) return { text: '', cut: false };
  if (STRING_VRS.has(vr)) {
    // Decode a bounded prefix: a preview never needs megabytes of text.
    const prefix = Math.max((max + 1) * 4, 64);
    return { text: decodeText(bytes.subarray(0, prefix), charset, vr), cut: bytes.length > prefix };
  }
  if (NUMBER_SIZE[vr] !== undefined) return { text: numbers(ds, el, vr, max), cut: false };
  const hex = Array.from(bytes.subarray(0, 16), (x) => x.toString(16).padStart(2, '0')).join(' ');
  return { text: `${bytes.length} bytes: ${hex}${bytes.length > 16 ? ' …' : ''}`, cut: false };
}

/** Name and VR of a private data element from the creator that reserves its block in `ds`. */
function privateInfo(ds: DataSet, key: string, charset: readonly string[]): { creator?: string; info?: PrivateTagInfo } {
  const t = parseInt(key.slice(1), 16);
  const creatorTag = privateCreatorTag(t >>> 16, t & 0xffff);
  if (creatorTag === undefined) return {};
  const creatorEl = ds.elements['x' + creatorTag.toString(16).padStart(8, '0')];
  const bytes = creatorEl && !creatorEl.items ? valueBytes(ds, creatorEl) : undefined;
  if (!bytes) return {};
  const creator = decodeText(bytes.subarray(0, 256), charset, 'LO').replace(/[\0 ]+$/, '');
  return { creator, info: lookupPrivateTag(t >>> 16, t & 0xffff, creator) };
}

const TRUNCATED_MARKER: DumpNode = { tag: '', vr: '', keyword: '', name: 'output truncated', length: 0, value: '', private: false };

function walkTree(file: DicomFile, options: DumpOptions, marker: boolean): DumpTree {
  const max = options.maxValueChars ?? 96;
  let budget = options.maxNodes ?? 100_000;
  let chars = options.maxTotalValueChars ?? Infinity;
  let truncated = false;
  const walk = (ds: DataSet, inherited: readonly string[]): DumpNode[] => {
    const charset = charsetOf(ds, inherited);
    const out: DumpNode[] = [];
    for (const key of Object.keys(ds.elements).sort()) {
      if (budget-- <= 0) {
        truncated = true;
        if (marker) out.push({ ...TRUNCATED_MARKER });
        break;
      }
      const el = ds.elements[key] as Element;
      const info = lookupTag(key);
      const group = parseInt(key.slice(1, 5), 16);
      const priv = group % 2 === 1 ? privateInfo(ds, key, charset) : {};
      const vr = el.vr ?? (el.items ? 'SQ' : (info?.vr ?? priv.info?.vr ?? ''));
      const known = priv.info && priv.info.keyword !== 'Unknown' ? priv.info : undefined;
      const node: DumpNode = {
        tag: label(key),
        vr,
        keyword: info?.keyword ?? known?.keyword ?? '',
        name: info?.name ?? known?.name ?? (group % 2 === 1 ? 'Private tag' : 'Unknown'),
        length: el.length,
        value: '',
        private: group % 2 === 1,
      };
      if (priv.creator !== undefined) node.creator = priv.creator;
      const shown = el.items ? { text: `${el.items.length} item(s)`, cut: false } : preview(ds, el, vr, charset, max);
      // Byte summaries have a fixed shape; give them room beyond the text limit rather than cut the count.
      const limit = Math.min(STRING_VRS.has(vr) || NUMBER_SIZE[vr] !== undefined ? max : max + 40, chars);
      let value = shown.text;
      if (value.length > limit || shown.cut) {
        value = value.slice(0, limit) + '…';
        node.clipped = true;
        if (limit === chars) truncated = true;
      }
      chars = Math.max(0, chars - value.length);
      node.value = value;
      if (el.items) {
        const items: DumpNode[][] = [];
        for (const it of el.items) {
          if (budget-- <= 0) {
            truncated = true;
            break;
          }
          items.push(it.dataSet ? walk(it.dataSet, charset) : []);
        }
        node.items = items;
      }
      if (el.encapsulatedPixelData) node.fragments = el.fragments?.length ?? 0;
      out.push(node);
    }
    return out;
  };
  const nodes = walk(file.dataSet, []);
  return { nodes, truncated };
}

/** The data set as a tree, elements in tag order, file meta first; a cut tree says so in its last node. */
export function dumpDataset(file: DicomFile, options: DumpOptions = {}): DumpNode[] {
  return walkTree(file, options, true).nodes;
}

/** The data set as a tree, elements in tag order, file meta first, with whether a budget cut it. */
export function dumpTree(file: DicomFile, options: DumpOptions = {}): DumpTree {
  return walkTree(file, options, false);
}
