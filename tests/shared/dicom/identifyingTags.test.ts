// What the tag browser hides: the attributes the PS3.15 Basic Profile changes, and private data.
import { describe, expect, it } from 'vitest';
import { hidesWholeSequence, isIdentifyingTag } from '../../../src-shared/dicom/identifyingTags';

describe('identifying attributes', () => {
  it('are those the Basic Profile removes, empties, replaces or cleans', () => {
    for (const tag of ['0010,0010', '0010,0020', '0010,0030', '0010,1000', '0010,1001', '0010,1002', '0010,1040', '0010,2154', '0008,0090',
      '0008,0080', '0008,0081', '0008,0050', '0008,0020', '0008,1030', '0020,000D', '0008,0018', '0002,0003', '0040,A730', '(0010,0010)', 0x00100010]) {
      expect(isIdentifyingTag(tag), String(tag)).toBe(true);
    }
    for (const tag of ['0028,0010', '0028,0011', '0008,0060', '0008,0016', '0008,0005', '0028,0030', '0020,0037', '7FE0,0010', '0002,0010', '0018,0050']) {
      expect(isIdentifyingTag(tag), tag).toBe(false);
    }
  });

  it('include private data elements but not their creators', () => {
    expect(isIdentifyingTag('0019,1010')).toBe(true);
    expect(isIdentifyingTag('0029,1110')).toBe(true);
    expect(isIdentifyingTag('0019,0010')).toBe(false);
    expect(isIdentifyingTag('0019,0000')).toBe(false);
  });

  it('hide whole sequences the profile removes, not those it keeps with new UIDs', () => {
    expect(hidesWholeSequence('0010,1002')).toBe(true); // Other Patient IDs Sequence
    expect(hidesWholeSequence('0040,0275')).toBe(true); // Request Attributes Sequence
    expect(hidesWholeSequence('0040,A730')).toBe(true); // Content Sequence
    expect(hidesWholeSequence('0008,1140')).toBe(false); // Referenced Image Sequence: X/Z/U*
    expect(hidesWholeSequence('5200,9230')).toBe(false); // Per-frame Functional Groups
    expect(hidesWholeSequence('0029,1010')).toBe(true); // private
  });

  it('treats a malformed tag as identifying (the safe side)', () => {
    expect(isIdentifyingTag('nonsense')).toBe(true);
    expect(hidesWholeSequence('12')).toBe(true);
  });
});
