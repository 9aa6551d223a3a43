// Vendors' private tags (DCMTK's private.dic): a private data element (gggg,bbee) is named by the
// creator string its block reserves at (gggg,00bb) (PS3.5 7.8.1) and its low byte ee.
import { keywordToName } from './dictionary';
import { PRIVATE_DICTIONARY_TEXT } from './privateDictionaryData';

export interface PrivateTagInfo {
  creator: string;
  vr: string;
  vm: string;
  /** DCMTK's keyword, e.g. "CSAImageHeaderInfo" ("Unknown" where the vendor documents only the VR). */
  keyword: string;
  name: string;
}

interface Entry {
  vr: string;
  vm: string;
  keyword: string;
}

/** Key: `${group}\t${creator}\t${element}` (element: 2 hex digits for "any block", 4 for a fixed element). */
let exact: Map<string, Entry> | undefined;
/** Odd groups of a range ("7001-70FF"): few, scanned linearly. */
let ranged: { lo: number; hi: number; creator: string; element: string; entry: Entry }[] | undefined;

function load(): void {
  if (exact) return;
  exact = new Map();
  ranged = [];
  for (const line of PRIVATE_DICTIONARY_TEXT.split('\n')) {
    if (!line) continue;
    const [group = '', creator = '', element = '', vr = '', vm = '', keyword = ''] = line.split('\t');
    const entry = { vr, vm, keyword };
    if (group.includes('-')) {
      const [lo = '', hi = ''] = group.split('-');
      ranged.push({ lo: parseInt(lo, 16), hi: parseInt(hi, 16), creator, element, entry });
    } else exact.set(`${group}\t${creator}\t${element}`, entry);
  }
}

const hex = (n: number, digits: number) => n.toString(16).toUpperCase().padStart(digits, '0');

/** The creator element that reserves the block of private data element (group, element), or undefined for non-private data elements. */
export function privateCreatorTag(group: number, element: number): number | undefined {
  if (group % 2 === 0 || group <= 0x0008 || group === 0xffff || element < 0x1000) return undefined;
  return group * 0x10000 + (element >> 8);
}

/** Trims what DICOM pads with (spaces, NULs) so that "SIEMENS CSA HEADER " finds its entry. */
export function normalizeCreator(raw: string): string {
  return raw.replace(/^[\0 ]+|[\0 ]+$/g, '');
}

/** The dictionary entry of a private data element given its block's creator string, or undefined. */
export function lookupPrivateTag(group: number, element: number, creator: string): PrivateTagInfo | undefined {
  if (privateCreatorTag(group, element) === undefined) return undefined;
  load();
  const c = normalizeCreator(creator);
  const g = hex(group, 4);
  const low = hex(element & 0xff, 2);
  const e = exact!.get(`${g}\t${c}\t${low}`) ?? exact!.get(`${g}\t${c}\t${hex(element, 4)}`) ?? rangedEntry(group, element, c);
  return e ? { creator: c, vr: e.vr, vm: e.vm, keyword: e.keyword, name: keywordToName(e.keyword) } : undefined;
}

function rangedEntry(group: number, element: number, creator: string): Entry | undefined {
  const low = hex(element & 0xff, 2);
  const full = hex(element, 4);
  for (const r of ranged!) {
    if (group >= r.lo && group <= r.hi && r.creator === creator && (r.element === low || r.element === full)) return r.entry;
  }
  return undefined;
}
