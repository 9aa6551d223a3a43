// Looking up Table E.1-1 rows and resolving what one row means under the options in use.
import { PROFILE_ROWS } from './profileTable';
import type { DeidOptions, OptionKey, ProfileRow } from './profileTypes';
import { OPTION_KEYS } from './profileTypes';
import { AppError } from '../errors';

const exact = new Map<number, ProfileRow>();
const masked: { mask: number; value: number; row: ProfileRow }[] = [];
for (const row of PROFILE_ROWS) {
  if (row.tag === 'GGGGEEEE') continue;
  if (row.tag.includes('X')) {
    let mask = 0;
    let value = 0;
    for (const ch of row.tag) {
      mask = mask * 16 + (ch === 'X' ? 0 : 15);
      value = value * 16 + (ch === 'X' ? 0 : parseInt(ch, 16));
    }
    masked.push({ mask, value, row });
  } else exact.set(parseInt(row.tag, 16), row);
}

export const PRIVATE_ROW: ProfileRow = PROFILE_ROWS.find((r) => r.tag === 'GGGGEEEE') as ProfileRow;

export function profileRowFor(tag: number): ProfileRow | undefined {
  const r = exact.get(tag);
  if (r) return r;
  // Repeating groups (overlays 60xx, curves 50xx) are even; odd groups are private.
  if ((tag >>> 16) % 2 === 1) return undefined;
  for (const m of masked) if (((tag & m.mask) >>> 0) === m.value) return m.row;
  return undefined;
}

/** What the de-identifier does to one attribute. */
export type Resolved =
  | { kind: 'remove' }
  | { kind: 'empty' }
  | { kind: 'dummy' }
  | { kind: 'uid' }
  /** X/Z/U*: keep the sequence, the rules then replace the UIDs inside. */
  | { kind: 'keepSequenceReplaceUids' }
  | { kind: 'keep'; option: OptionKey }
  | { kind: 'clean'; option: OptionKey }
  | { kind: 'shiftDates'; option: OptionKey };

export function validateOptions(options: DeidOptions): void {
  for (const k of Object.keys(options)) {
    if (!(OPTION_KEYS as readonly string[]).includes(k)) throw new AppError('INVALID_REQUEST', `unknown de-identification option ${k}`);
  }
  if (options.retainLongitudinalFullDates && options.retainLongitudinalModifiedDates) {
    throw new AppError('INVALID_REQUEST', 'Full Dates and Modified Dates options exclude each other');
  }
}

/**
 * Options first (Keep beats Clean beats the option's own X), then the Basic Profile. Where the table offers a
 * choice, PS3.15 E.1.1 says the stronger action is taken only "unless Z or D is required to maintain IOD
 * conformance". Without per-IOD type tables an attribute present in the input is assumed to be required:
 * X/Z -> Z, X/D and X/Z/D -> D, Z/D -> D (Type 1 in some IODs, e.g. SR Content Date), except Patient ID,
 * which is Type 2 in every IOD's Patient Module -> Z. Empty and dummy values identify no one.
 */
export function resolveRow(row: ProfileRow, options: DeidOptions): Resolved {
  let clean: Resolved | undefined;
  let optionRemove = false;
  for (const key of OPTION_KEYS) {
    if (!options[key]) continue;
    const a = row.options[key];
    if (a === 'K') return { kind: 'keep', option: key };
    if (a === 'C') clean ??= key === 'retainLongitudinalModifiedDates' ? { kind: 'shiftDates', option: key } : { kind: 'clean', option: key };
    if (a === 'X') optionRemove = true;
  }
  if (clean) return clean;
  if (optionRemove) return { kind: 'remove' };
  switch (row.basic) {
    case 'D':
      return { kind: 'dummy' };
    case 'Z':
    case 'X/Z':
      return { kind: 'empty' };
    case 'Z/D':
      return row.tag === '00100020' ? { kind: 'empty' } : { kind: 'dummy' };
    case 'X/D':
    case 'X/Z/D':
      return { kind: 'dummy' };
    case 'U':
      return { kind: 'uid' };
    case 'X/Z/U*':
      return { kind: 'keepSequenceReplaceUids' };
    default:
      return { kind: 'remove' };
  }
}
