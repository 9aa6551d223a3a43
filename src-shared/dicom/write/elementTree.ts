// A lossless, editable element tree: what the de-identifier edits and the writer serializes.
// Values stay raw bytes (in the file's byte order) so that whatever is not touched is written back unchanged.

export interface DicomElement {
  /** (group << 16 | element) as an unsigned 32-bit number. */
  tag: number;
  /** Explicit VR; for implicit-VR input, the dictionary VR when known, else 'UN'. */
  vr: string;
  /** Raw value bytes (absent for sequences and encapsulated pixel data). */
  value?: Uint8Array;
  /** Sequence items. */
  items?: DicomItem[];
  /** Encapsulated pixel data: item values in order (the first is the Basic Offset Table, possibly empty). */
  fragments?: Uint8Array[];
}

export interface DicomItem {
  elements: DicomElement[];
}

export interface DicomTree {
  /** File meta information elements, group 0002 (empty when the input had none). */
  meta: DicomElement[];
  dataSet: DicomItem;
  /** Transfer syntax the data set was encoded in. */
  transferSyntaxUid: string;
  hadFileMeta: boolean;
}

export const TS = {
  implicitLE: '1.2.840.10008.1.2',
  explicitLE: '1.2.840.10008.1.2.1',
  deflatedLE: '1.2.840.10008.1.2.1.99',
  explicitBE: '1.2.840.10008.1.2.2',
} as const;

export const ITEM = 0xfffee000;
export const ITEM_DELIM = 0xfffee00d;
export const SEQ_DELIM = 0xfffee0dd;
export const PIXEL_DATA = 0x7fe00010;

/** VRs whose explicit encoding uses a 4-byte length after 2 reserved bytes. */
export const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);
/** VRs holding text, in the Specific Character Set or ASCII. */
export const STRING_VRS = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT']);

export function tagOf(group: number, element: number): number {
  return ((group << 16) | element) >>> 0;
}

export function groupOf(tag: number): number {
  return tag >>> 16;
}

export function elementOf(tag: number): number {
  return tag & 0xffff;
}

export function tagHex(tag: number): string {
  return tag.toString(16).toUpperCase().padStart(8, '0');
}

export function isPrivateTag(tag: number): boolean {
  return (groupOf(tag) & 1) === 1;
}

export function findElement(item: DicomItem, tag: number): DicomElement | undefined {
  return item.elements.find((e) => e.tag === tag);
}

export function removeElement(item: DicomItem, tag: number): void {
  item.elements = item.elements.filter((e) => e.tag !== tag);
}

/** Inserts or replaces, keeping ascending tag order. */
export function putElement(item: DicomItem, el: DicomElement): void {
  const i = item.elements.findIndex((e) => e.tag >= el.tag);
  if (i === -1) item.elements.push(el);
  else if (item.elements[i]?.tag === el.tag) item.elements[i] = el;
  else item.elements.splice(i, 0, el);
}

/** Visits every item (the data set itself and every sequence item at any depth). */
export function forEachItem(item: DicomItem, visit: (item: DicomItem, depth: number) => void, depth = 0): void {
  visit(item, depth);
  for (const el of item.elements) for (const child of el.items ?? []) forEachItem(child, visit, depth + 1);
}
