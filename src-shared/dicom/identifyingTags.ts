// Which attributes the tag browser must not show when identifying data is hidden: exactly those the
// PS3.15 Basic Application Level Confidentiality Profile changes (de-identification's own table, so
// the two can never disagree), plus private data elements, which the profile removes because any
// of them may hold a name. Private creators (vendor block names) stay visible.
import { profileRowFor } from '../deid/profile';

/** "GGGG,EEEE", "(GGGG,EEEE)", "GGGGEEEE" or a number -> the tag as a number; null when malformed. */
function tagNumber(tag: number | string): number | null {
  if (typeof tag === 'number') return Number.isInteger(tag) && tag >= 0 && tag <= 0xffffffff ? tag : null;
  const hex = tag.replace(/[(),\s]/g, '');
  return /^[0-9A-Fa-f]{8}$/.test(hex) ? parseInt(hex, 16) : null;
}

/** True when the Basic Profile removes, empties, replaces (dummy or new UID) or cleans the attribute, or it is private data. */
export function isIdentifyingTag(tag: number | string): boolean {
  const t = tagNumber(tag);
  // Unreadable tags are treated as identifying: hiding too much is the safe side.
  if (t === null) return true;
  const group = t >>> 16;
  const element = t & 0xffff;
  if (group % 2 === 1) return !(element >= 0x0010 && element <= 0x00ff) && element !== 0;
  return profileRowFor(t) !== undefined;
}

/**
 * True for a sequence the profile removes or replaces as a whole (Other Patient IDs Sequence, Content
 * Sequence...): nothing inside it is shown either. Sequences the profile keeps while replacing the UIDs
 * inside (X/Z/U*, e.g. Referenced Image Sequence) return false: their items are judged tag by tag.
 */
export function hidesWholeSequence(tag: number | string): boolean {
  const t = tagNumber(tag);
  if (t === null) return true;
  if ((t >>> 16) % 2 === 1) return isIdentifyingTag(t);
  const row = profileRowFor(t);
  return row !== undefined && row.basic !== 'X/Z/U*';
}
