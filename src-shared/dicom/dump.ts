// A tag tree for `enclave dump` and the tag browser: names from the dictionary, text decoded per
// the Specific Character Set (inherited into sequence items unless an item declares its own).
import type { DataSet, Element } from 'dicom-parser';
import type { DicomFile } from './parse';
import { CHARSET_VRS, decodeText } from './charset';
import { lookupTag } from './dictionary';
import { charsetOf, valueBytes } from './elements';

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
  /** Sequence items, each a list of nodes. */
  items?: DumpNode[][];
  /** Encapsulated pixel data: the number of fragments. */
  fragments?: number;
}

export interface DumpOptions {
  /** Longest value preview (default 96 characters). */
  maxValueChars?: number;
  /** Stop listing after this many nodes in total (default 100,000); the last node says so. */
  maxNodes?: number;
}

const STRING_VRS = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'TM', 'UI', 'UR', ...CHARSET_VRS]);
const NUMBER_SIZE: Record<string, number> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8, AT: 4 };

function label(tag: string): string {
  const h = tag.slice(1).toUpperCase();
  return `(${h.slice(0, 4)},${h.slice(4)})`;
}

function clip(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) + '…' : s;
}

function numbers(ds: DataSet, el: Element, vr: string, max: number): string {
  const size = NUMBER_SIZE[vr] as number;
  const parser = el.parser ?? ds.byteArrayParser;
  const b = ds.byteArray;
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
        v = String(parser.readFloat(b, p));
        break;
      case 'FD':
        v = String(parser.readDouble(b, p));
        break;
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

function preview(ds: DataSet, el: Element, vr: string, charset: readonly string[], max: number): string {
  if (el.encapsulatedPixelData) return `encapsulated, ${el.fragments?.length ?? 0} fragment(s)`;
  const bytes = valueBytes(ds, el);
  if (!bytes) return '';
  if (STRING_VRS.has(vr)) {
    // Decode a bounded prefix: a preview never needs megabytes of text.
    return clip(decodeText(bytes.subarray(0, Math.max(max * 4, 64)), charset, vr), max);
  }
  if (NUMBER_SIZE[vr] !== undefined) return clip(numbers(ds, el, vr, max), max);
  const hex = Array.from(bytes.subarray(0, 16), (x) => x.toString(16).padStart(2, '0')).join(' ');
  return clip(`${bytes.length} bytes: ${hex}${bytes.length > 16 ? ' …' : ''}`, max + 40);
}

/** The data set as a tree, elements in tag order, file meta first. */
export function dumpDataset(file: DicomFile, options: DumpOptions = {}): DumpNode[] {
  const max = options.maxValueChars ?? 96;
  let budget = options.maxNodes ?? 100_000;
  const walk = (ds: DataSet, inherited: readonly string[]): DumpNode[] => {
    const charset = charsetOf(ds, inherited);
    const out: DumpNode[] = [];
    for (const key of Object.keys(ds.elements).sort()) {
      if (budget-- <= 0) {
        out.push({ tag: '', vr: '', keyword: '', name: 'output truncated', length: 0, value: '', private: false });
        break;
      }
      const el = ds.elements[key] as Element;
      const info = lookupTag(key);
      const group = parseInt(key.slice(1, 5), 16);
      const vr = el.vr ?? (el.items ? 'SQ' : (info?.vr ?? ''));
      const node: DumpNode = {
        tag: label(key),
        vr,
        keyword: info?.keyword ?? '',
        name: info?.name ?? (group % 2 === 1 ? 'Private' : 'Unknown'),
        length: el.length,
        value: el.items ? `${el.items.length} item(s)` : preview(ds, el, vr, charset, max),
        private: group % 2 === 1,
      };
      if (el.items) node.items = el.items.map((it) => (it.dataSet ? walk(it.dataSet, charset) : []));
      if (el.encapsulatedPixelData) node.fragments = el.fragments?.length ?? 0;
      out.push(node);
    }
    return out;
  };
  return walk(file.dataSet, []);
}
