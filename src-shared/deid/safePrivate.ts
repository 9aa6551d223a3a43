// PS3.15 Table E.3.10-1 "Safe Private Attributes" as data: the private attributes the Retain Safe Private
// Option keeps. A row names its block by Private Creator and gives the element as (gggg,xxee): `element` is
// the low byte ee, matched in whichever block (xx = 10..FF) the creator reserved in a given file.
// The published table has no condition column, so no row has `condition`; the engine honours one where a
// caller's own list gives it. Vendors "do not guarantee them to be safe" (the table's note): keeping them is
// the option's definition, not a promise.
import { SAFE_PRIVATE_TABLE_TEXT } from './safePrivateTable';

/** A condition on the same data set: the attribute's value (trimmed, upper case) must be one of `oneOf`. */
export interface SafePrivateCondition {
  tag: number;
  oneOf: readonly string[];
  /** The table's wording, for the conformance statement and the export summary. */
  text: string;
}

/** One row of Table E.3.10-1. */
export interface SafePrivateAttribute {
  creator: string;
  group: number;
  /** Low byte of the element number (the block-relative part, 0x00..0xFF). */
  element: number;
  /** VR as the table gives it ('' where the table gives none); an element written with another explicit VR is not this one. */
  vr?: string;
  vm?: string;
  meaning?: string;
  condition?: SafePrivateCondition;
}

export const SAFE_PRIVATE_SOURCE = 'PS3.15 Table E.3.10-1, current edition (see safePrivateTable.ts for the transcription used)';

function parseTable(text: string): SafePrivateAttribute[] {
  const out: SafePrivateAttribute[] = [];
  let creator = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('@')) creator = line.slice(1);
    else if (line.trim() !== '') {
      const [g, e, vr, vm, ...meaning] = line.split(' ');
      out.push({ creator, group: parseInt(g as string, 16), element: parseInt(e as string, 16), vr: vr === '-' ? '' : (vr as string), vm: vm as string, meaning: meaning.join(' ') });
    }
  }
  return out;
}

export const SAFE_PRIVATE_ATTRIBUTES: readonly SafePrivateAttribute[] = parseTable(SAFE_PRIVATE_TABLE_TEXT);

/** Index by creator, group and element byte (a creator may appear in several groups). */
export function safePrivateIndex(list: readonly SafePrivateAttribute[]): Map<string, SafePrivateAttribute> {
  const m = new Map<string, SafePrivateAttribute>();
  for (const s of list) m.set(safePrivateKey(s.creator, s.group, s.element), s);
  return m;
}

export function safePrivateKey(creator: string, group: number, element: number): string {
  return `${creator}\\${group}\\${element}`;
}
