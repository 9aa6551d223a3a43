// What the user reads after an import: counts with the right plurals, and a CD's DICOMDIR (its index)
// never reported as a skipped file.
import { describe, expect, it } from 'vitest';
import type { ImportSummary } from '../../src-shared/ipc/contract';
import { SKIP } from '../../src-shared/ipc/skipReasons';
import { describeImport } from '../../src-renderer/importMessage';

function summary(over: Partial<ImportSummary>): ImportSummary {
  return { jobId: 'j', filesSeen: 0, added: 0, duplicates: 0, conflicts: 0, skipped: [], studies: 1, cancelled: false, ...over };
}

describe('describeImport', () => {
  it('says nothing about the DICOMDIR of a complete CD', () => {
    expect(describeImport(summary({ added: 144, skipped: [{ reason: SKIP.dicomdir, count: 1 }] }), 'Opened (not saved)')).toBe('Opened (not saved) 144 images.');
  });

  it('counts the files really left out, with plurals', () => {
    const s = summary({ added: 1, duplicates: 3, conflicts: 1, skipped: [{ reason: SKIP.dicomdir, count: 1 }, { reason: SKIP.notDicom, count: 1 }] });
    expect(describeImport(s, 'Imported')).toBe('Imported 1 image (3 already stored, 1 conflicting file kept aside, 1 file skipped).');
    const many = summary({ added: 80, skipped: [{ reason: SKIP.notDicom, count: 2 }, { reason: SKIP.zipDamaged, count: 1 }] });
    expect(describeImport(many, 'Imported')).toBe('Imported 80 images (3 files skipped).');
  });

  it('names files the CD lists but lacks', () => {
    const one = summary({ added: 79, missing: [{ dicomdir: 'DICOMDIR', fileId: 'DICOM/ST1/SE1/IM80' }] });
    expect(describeImport(one, 'Imported')).toBe('Imported 79 images; 1 file the CD lists is missing.');
    const two = summary({ added: 78, missing: [{ dicomdir: 'DICOMDIR', fileId: 'a' }, { dicomdir: 'DICOMDIR', fileId: 'b' }] });
    expect(describeImport(two, 'Imported')).toBe('Imported 78 images; 2 files the CD lists are missing.');
  });
});
