// The DICOM data dictionary (PS3.6 as DCMTK ships it), for implicit-VR parsing, the tag browser
// and de-identification. The table is parsed lazily on first lookup.
import { DICTIONARY_TEXT } from './dictionaryData';

export interface TagInfo {
  /** Tag as 8 upper-case hex digits, e.g. "00100010". */
  tag: string;
  /** PS3.5 VR, or a DCMTK code where the standard allows several: xs (US|SS), ox (OB|OW), px, lt, up, na. */
  vr: string;
  vm: string;
  keyword: string;
  /** Human-readable name derived from the keyword ("PatientName" -> "Patient Name"). */
  name: string;
  retired: boolean;
  /** Dictionary key when it matched a repeating group, e.g. "60xx3000". */
  repeating?: string;
}

interface Entry {
  vr: string;
  vm: string;
  keyword: string;
  retired: boolean;
}

let exact: Map<number, Entry> | undefined;
let masked: { mask: number; value: number; key: string; entry: Entry }[] | undefined;
let byKeyword: Map<string, string> | undefined;

function load(): void {
  if (exact) return;
  exact = new Map();
  masked = [];
  byKeyword = new Map();
  for (const line of DICTIONARY_TEXT.split('\n')) {
    if (!line) continue;
    const [key = '', vr = '', vm = '', kw = ''] = line.split(' ');
    const retired = kw.endsWith('*');
    const entry: Entry = { vr, vm, keyword: retired ? kw.slice(0, -1) : kw, retired };
    byKeyword.set(entry.keyword, key);
    if (key.includes('x')) {
      let mask = 0;
      let value = 0;
      for (const ch of key) {
        mask = mask * 16 + (ch === 'x' ? 0 : 15);
        value = value * 16 + (ch === 'x' ? 0 : parseInt(ch, 16));
      }
      masked.push({ mask, value, key, entry });
    } else {
      exact.set(parseInt(key, 16), entry);
    }
  }
}

/** "SOPClassUID" -> "SOP Class UID", "PatientAge" -> "Patient Age". */
export function keywordToName(keyword: string): string {
  return keyword
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([a-zA-Z])([0-9])/g, '$1 $2');
}

function parseTag(tag: string | number): number | null {
  if (typeof tag === 'number') return Number.isInteger(tag) && tag >= 0 && tag <= 0xffffffff ? tag : null;
  const hex = tag.replace(/^x/i, '').replace(/[(),\s]/g, '');
  if (!/^[0-9a-fA-F]{8}$/.test(hex)) return null;
  return parseInt(hex, 16);
}

function hex8(n: number): string {
  return n.toString(16).toUpperCase().padStart(8, '0');
}

function info(t: number, e: Entry, repeating?: string): TagInfo {
  const r: TagInfo = { tag: hex8(t), vr: e.vr, vm: e.vm, keyword: e.keyword, name: keywordToName(e.keyword), retired: e.retired };
  if (repeating) r.repeating = repeating;
  return r;
}

/**
 * Looks up a tag given as "x00100010" (dicom-parser), "00100010", "(0010,0010)" or a number.
 * Repeating groups (50xx, 60xx, 7Fxx, 0020,31xx) match their masked entry; group lengths and
 * private creator elements get generic entries. Undefined for private data elements and unknown tags.
 */
export function lookupTag(tag: string | number): TagInfo | undefined {
  const t = parseTag(tag);
  if (t === null) return undefined;
  const f = findEntry(t);
  return f ? info(t, f.entry, f.key) : undefined;
}

const GROUP_LENGTH: Entry = { vr: 'UL', vm: '1', keyword: 'GroupLength', retired: false };
const PRIVATE_CREATOR: Entry = { vr: 'LO', vm: '1', keyword: 'PrivateCreator', retired: false };

function findEntry(t: number): { entry: Entry; key?: string } | undefined {
  load();
  const e = exact!.get(t);
  if (e) return { entry: e };
  const group = Math.floor(t / 0x10000);
  const element = t % 0x10000;
  if (group % 2 === 0) {
    for (const m of masked!) {
      // Repeating groups are even groups only (PS3.5 7.6); the mask keeps odd private groups out.
      if ((t & m.mask) >>> 0 === m.value) return { entry: m.entry, key: m.key };
    }
  }
  if (element === 0) return { entry: GROUP_LENGTH };
  if (group % 2 === 1 && group > 0x0008 && element >= 0x0010 && element <= 0x00ff) return { entry: PRIVATE_CREATOR };
  return undefined;
}

/** Tag ("00100010") for a keyword, or undefined. */
export function tagForKeyword(keyword: string): string | undefined {
  load();
  const k = byKeyword!.get(keyword);
  return k && !k.includes('x') ? k : undefined;
}

/** The VR an implicit-VR element gets: the dictionary's, with multi-VR codes resolved to their most common form. */
export function implicitVr(group: number, element: number): string | undefined {
  if (group === 0xfffe) return undefined;
  const vr = findEntry(group * 0x10000 + element)?.entry.vr;
  switch (vr) {
    case undefined:
    case 'na':
      return undefined;
    case 'xs':
      return 'US';
    case 'ox':
    case 'px':
    case 'lt':
      return 'OW';
    case 'up':
      return 'UL';
    default:
      return vr;
  }
}
