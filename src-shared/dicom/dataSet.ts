// A DataSet with dicom-parser's shape and accessor semantics, built by our own parser (parse.ts).
// Own class rather than dicom-parser's runtime one: its UMD bundle has no stable ESM named exports
// across Node, Vite and esbuild, and every accessor here is bounds-checked against the element.
import type { ByteArray, ByteArrayParser, DataSet as DpDataSet, Element } from 'dicom-parser';

let lastArray: ByteArray | undefined;
let lastView: DataView | undefined;
/** One cached DataView: accessors read the same array many times in a row. */
function view(b: ByteArray): DataView {
  if (b !== lastArray || !lastView) {
    lastView = new DataView(b.buffer, b.byteOffset, b.byteLength);
    lastArray = b;
  }
  return lastView;
}

function makeParser(little: boolean): ByteArrayParser {
  return {
    readUint16: (b, p) => view(b).getUint16(p, little),
    readInt16: (b, p) => view(b).getInt16(p, little),
    readUint32: (b, p) => view(b).getUint32(p, little),
    readInt32: (b, p) => view(b).getInt32(p, little),
    readFloat: (b, p) => view(b).getFloat32(p, little),
    readDouble: (b, p) => view(b).getFloat64(p, little),
  };
}

export const littleEndianParser: ByteArrayParser = makeParser(true);
export const bigEndianParser: ByteArrayParser = makeParser(false);

/** Latin-1 bytes up to the first NUL, like dicom-parser's readFixedString. */
export function readFixedString(b: ByteArray, position: number, length: number): string {
  let s = '';
  const end = Math.min(position + length, b.length);
  for (let i = position; i < end; i++) {
    const c = b[i] as number;
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

export class DataSet implements DpDataSet {
  warnings: string[] = [];

  constructor(
    public byteArrayParser: ByteArrayParser,
    public byteArray: ByteArray,
    public elements: { [tag: string]: Element },
  ) {}

  private numeric(tag: string, index: number, size: number): { el: Element; parser: ByteArrayParser; pos: number } | undefined {
    const el = this.elements[tag];
    if (!el || el.length === 0 || el.items) return undefined;
    const off = index * size;
    if (!Number.isInteger(index) || index < 0 || off + size > el.length || el.dataOffset + off + size > this.byteArray.length) return undefined;
    return { el, parser: el.parser ?? this.byteArrayParser, pos: el.dataOffset + off };
  }

  uint16(tag: string, index = 0): number | undefined {
    const r = this.numeric(tag, index, 2);
    return r ? r.parser.readUint16(this.byteArray, r.pos) : undefined;
  }
  int16(tag: string, index = 0): number | undefined {
    const r = this.numeric(tag, index, 2);
    return r ? r.parser.readInt16(this.byteArray, r.pos) : undefined;
  }
  uint32(tag: string, index = 0): number | undefined {
    const r = this.numeric(tag, index, 4);
    return r ? r.parser.readUint32(this.byteArray, r.pos) : undefined;
  }
  int32(tag: string, index = 0): number | undefined {
    const r = this.numeric(tag, index, 4);
    return r ? r.parser.readInt32(this.byteArray, r.pos) : undefined;
  }
  float(tag: string, index = 0): number | undefined {
    const r = this.numeric(tag, index, 4);
    return r ? r.parser.readFloat(this.byteArray, r.pos) : undefined;
  }
  double(tag: string, index = 0): number | undefined {
    const r = this.numeric(tag, index, 8);
    return r ? r.parser.readDouble(this.byteArray, r.pos) : undefined;
  }

  private raw(tag: string): string | undefined {
    const el = this.elements[tag];
    if (!el || el.length === 0 || el.items) return undefined;
    return readFixedString(this.byteArray, el.dataOffset, el.length);
  }

  numStringValues(tag: string): number | undefined {
    const s = this.raw(tag);
    return s === undefined ? undefined : s.split('\\').length;
  }

  /** Latin-1 view of the value; use elements.ts for text in the file's character set. */
  string(tag: string, index?: number): string | undefined {
    const s = this.raw(tag);
    if (s === undefined) return undefined;
    if (index !== undefined && index >= 0) {
      const parts = s.split('\\');
      return parts[index]?.trim();
    }
    return s.trim();
  }

  text(tag: string, index?: number): string | undefined {
    const s = this.raw(tag);
    if (s === undefined) return undefined;
    if (index !== undefined && index >= 0) {
      const parts = s.split('\\');
      return parts[index]?.replace(/ +$/, '');
    }
    return s.replace(/ +$/, '');
  }

  floatString(tag: string, index?: number): number | undefined {
    const s = this.string(tag, index ?? 0);
    return s === undefined ? undefined : parseFloat(s);
  }

  intString(tag: string, index?: number): number | undefined {
    const s = this.string(tag, index ?? 0);
    return s === undefined ? undefined : parseInt(s, 10);
  }

  attributeTag(tag: string): string | undefined {
    const r = this.numeric(tag, 0, 4);
    if (!r) return undefined;
    const g = r.parser.readUint16(this.byteArray, r.pos);
    const e = r.parser.readUint16(this.byteArray, r.pos + 2);
    return 'x' + (g * 0x10000 + e).toString(16).padStart(8, '0');
  }
}
