// The export summary as the user reads it: what was removed, and what happened to files flagged for burned-in text.
import { describe, expect, it } from 'vitest';
import { OPTION_KEYS } from '../../src-shared/deid/profileTypes';
import { actionLines, burnedInLine, OPTION_LABELS, summaryHeadline } from '../../src-renderer/export/exportText';
import type { ExportSummary } from '../../src-shared/ipc/exportContract';

const base: ExportSummary = { kind: 'folder', files: 3, outputName: 'enclave-export-20261203-120000', actions: {}, flagged: 0, redacted: 0, overridden: 0 };

describe('export summary text', () => {
  it('names every profile option', () => {
    expect(Object.keys(OPTION_LABELS).sort()).toEqual([...OPTION_KEYS].sort());
  });

  it('lists the actions that did something, in a fixed order', () => {
    expect(actionLines({ uidsReplaced: 4, removed: 33, emptied: 0, privateRemoved: 2 })).toEqual(['33 removed', '4 UIDs replaced', '2 private attributes removed']);
  });

  it('says what was exported where, and what happened to flagged files', () => {
    expect(summaryHeadline(base)).toBe('3 files exported as enclave-export-20261203-120000.');
    expect(summaryHeadline({ ...base, kind: 'image', files: 1, outputName: 'enclave-image-x.png' })).toBe('Picture saved as enclave-image-x.png.');
    expect(burnedInLine(base)).toBeNull();
    expect(burnedInLine({ ...base, flagged: 2, redacted: 1, overridden: 1 })).toBe('2 flagged for burned-in text, 1 redacted, 1 exported unredacted under the override (audited).');
  });
});
