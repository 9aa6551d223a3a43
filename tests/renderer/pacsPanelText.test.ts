// The PACS panel's query as main receives it (dates as DICOM, empty fields left out, a mistake named by its field
// before anything is sent) and its progress as the user reads it across series (main counts images per series).
import { describe, expect, it } from 'vitest';
import { EMPTY_FIELDS, pacsQueryOf } from '../../src-renderer/pacs/pacsForm';
import { advance, methodsOf, NO_COUNT, nodeLabel, progressFraction, progressLine, retrieveSummary } from '../../src-renderer/pacs/pacsText';
import type { PacsProgress } from '../../src-shared/ipc/contract';

const page = { limit: 25, offset: 50 };

describe('PACS query from the form', () => {
  it('sends only what was filled in, dates as YYYYMMDD, modality upper-case, text trimmed', () => {
    expect(pacsQueryOf({ ...EMPTY_FIELDS, patientName: ' Phantom^P* ', studyDateFrom: '2024-01-02', studyDateTo: '2024-03-04', birthDate: '1950-12-31', modality: 'ct' }, page)).toEqual({
      query: { patientName: 'Phantom^P*', studyDateFrom: '20240102', studyDateTo: '20240304', birthDate: '19501231', modality: 'CT', limit: 25, offset: 50 },
    });
    expect(pacsQueryOf(EMPTY_FIELDS, { limit: 25, offset: 0 })).toEqual({ query: { limit: 25, offset: 0 } });
  });

  it('names the field a mistake is in, and refuses a date range backwards', () => {
    expect(pacsQueryOf({ ...EMPTY_FIELDS, patientName: 'A&limit=100000' }, page)).toEqual({ invalid: expect.stringMatching(/^Patient name: no control characters/) });
    expect(pacsQueryOf({ ...EMPTY_FIELDS, accession: 'X'.repeat(17) }, page)).toEqual({ invalid: expect.stringMatching(/^Accession number: /) });
    expect(pacsQueryOf({ ...EMPTY_FIELDS, studyDateFrom: '2024-05-01', studyDateTo: '2024-04-30' }, page)).toEqual({ invalid: 'The study date “from” is after the date “to”.' });
  });
});

const p = (o: Partial<PacsProgress>): PacsProgress => ({ jobId: 'j', seriesDone: 0, seriesTotal: 2, filesDone: 0, bytesDone: 0, done: false, ...o });

describe('PACS retrieve progress', () => {
  it('adds the images of finished series to the current one', () => {
    let c = advance(NO_COUNT, p({ filesDone: 30 }));
    c = advance(c, p({ filesDone: 80 }));
    // Second series starts: its own count restarts at 10.
    c = advance(c, p({ seriesDone: 1, filesDone: 10, bytesDone: 12_345_678 }));
    expect(c.base + c.current).toBe(90);
    expect(progressLine(p({ seriesDone: 1, filesDone: 10, bytesDone: 12_345_678 }), c, 144)).toBe('Series 2 of 2 · 90 of 144 images · 12.3 MB');
    expect(progressFraction(p({ seriesDone: 1 }), c, 144)).toBeCloseTo(90 / 144);
    // Without an image count from the archive, the bar moves by series.
    expect(progressFraction(p({ seriesDone: 1 }), c, null)).toBe(0.5);
    const done = advance(c, p({ seriesDone: 2, filesDone: 144, done: true }));
    expect(progressLine(p({ seriesDone: 2, filesDone: 144, done: true }), done, 144)).toBe('Series 2 of 2 · 144 of 144 images · 0.0 MB');
    expect(progressFraction(p({ done: true }), done, 144)).toBe(1);
  });

  it('says what a retrieve did, and that a cancelled one kept what arrived', () => {
    const r = { series: 2, seriesSkipped: 1, added: 64, duplicates: 0, conflicts: 0, skipped: 0, bytes: 5_300_000, cancelled: false, seconds: 2.26 };
    expect(retrieveSummary(r)).toBe('Retrieved: 64 images added, 1 series already complete (5.3 MB in 2.3 s).');
    expect(retrieveSummary({ ...r, added: 1, seriesSkipped: 0, duplicates: 3, cancelled: true })).toBe('Retrieve cancelled; what arrived is kept whole: 1 image added, 3 already on this computer (5.3 MB in 2.3 s).');
    expect(nodeLabel({ name: 'Archive', dicomweb: true, dimse: true, move: false })).toBe('Archive (DICOMweb + DIMSE)');
  });

  it('offers C-MOVE beside C-GET only over DIMSE, and only for a node policy allows C-MOVE for', () => {
    const both = { name: 'Archive', dicomweb: true, dimse: true, move: true };
    expect(methodsOf(both, 'dimse')).toEqual(['get', 'move']);
    expect(methodsOf(both, 'dicomweb')).toEqual([]);
    expect(methodsOf({ ...both, move: false }, 'dimse')).toEqual([]);
  });
});
