// Exported CDs: every DICOMDIR in the corpus and the phantom patient CD import into the real encrypted
// store with the patient/study/series/instance counts MANIFEST.md gives; vendor nested DIRFILEs are
// followed; broken media import what exists and report the rest.
import { cpSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPaths } from '../../../src-main/services/import/folderImport';
import type { EncryptedStudyStore } from '../../../src-main/services/store/encryptedStudyStore';
import { makeTempStore, type TempStore } from '../store/fixtures/tempStore';
import { copyInto, CORPUS, PHANTOMS, sortedFiles, storeCounts, tempDir, writeDirectoryFile, type Counts } from './fixtures/importFixtures';

const DDT = path.join(CORPUS, 'debian-python3-pydicom/test_files/dicomdirtests');

// MANIFEST.md "DICOMDIR files: records and referenced files found on disk" (patients, studies, series, images).
const MEDIA: { dicomdir: string; counts: Counts; missing: number }[] = [
  { dicomdir: path.join(PHANTOMS, 'patient-cd/DICOMDIR'), counts: { patients: 1, studies: 1, series: 2, instances: 144 }, missing: 0 },
  { dicomdir: path.join(DDT, 'DICOMDIR'), counts: { patients: 2, studies: 6, series: 13, instances: 31 }, missing: 0 },
  { dicomdir: path.join(DDT, 'DICOMDIR-bigEnd'), counts: { patients: 2, studies: 6, series: 13, instances: 31 }, missing: 0 },
  { dicomdir: path.join(DDT, 'DICOMDIR-implicit'), counts: { patients: 2, studies: 6, series: 13, instances: 31 }, missing: 0 },
  { dicomdir: path.join(DDT, 'DICOMDIR-nooffset'), counts: { patients: 2, studies: 6, series: 13, instances: 31 }, missing: 0 },
  { dicomdir: path.join(DDT, 'DICOMDIR-nopatient'), counts: { patients: 2, studies: 6, series: 13, instances: 31 }, missing: 0 },
  { dicomdir: path.join(DDT, 'DICOMDIR-reordered'), counts: { patients: 2, studies: 6, series: 13, instances: 31 }, missing: 0 },
  { dicomdir: path.join(DDT, 'DICOMDIR-empty.dcm'), counts: { patients: 0, studies: 0, series: 0, instances: 0 }, missing: 0 },
  { dicomdir: path.join(DDT, 'TINY_ALPHA/DICOMDIR'), counts: { patients: 1, studies: 1, series: 1, instances: 50 }, missing: 0 },
  { dicomdir: path.join(CORPUS, 'orthanc-tests/Encodings/DavidClunie/DICOMDIR'), counts: { patients: 11, studies: 11, series: 11, instances: 11 }, missing: 0 },
  // Malformed (odd lengths; dcmdump reads its file IDs without the '.dcm' the files have): the 4 images are found either way.
  { dicomdir: path.join(CORPUS, 'dwv/bbmri.dcmdir'), counts: { patients: 1, studies: 1, series: 1, instances: 4 }, missing: 0 },
];

let ts: TempStore;
let store: EncryptedStudyStore;
const scratch: string[] = [];

beforeAll(async () => {
  ts = await makeTempStore();
});
afterAll(() => {
  ts.cleanup();
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

async function importIntoFresh(paths: string[]) {
  await store?.close();
  await ts.open().then((s) => s.purgeAll().then(() => s.close()));
  store = await ts.open();
  const report = await importPaths(store, paths);
  return { report, counts: storeCounts(store) };
}

describe('DICOMDIR media', () => {
  it.each(MEDIA.map((m) => [path.relative(path.dirname(CORPUS), m.dicomdir), m] as const))('%s imports with the MANIFEST counts', async (_name, m) => {
    const { report, counts } = await importIntoFresh([m.dicomdir]);
    expect(counts).toEqual(m.counts);
    expect(report.missing).toHaveLength(m.missing);
    expect(report.dicomdirs).toHaveLength(1);
    expect(report.dicomdirs[0]!.fallbackScan).toBe(false);
    expect(report.added).toBe(m.counts.instances);
    await store.close();
  });

  it('a folder holding a CD imports the same as its DICOMDIR (patient-cd)', async () => {
    const { report, counts } = await importIntoFresh([path.join(PHANTOMS, 'patient-cd')]);
    expect(counts).toEqual({ patients: 1, studies: 1, series: 2, instances: 144 });
    expect(report.skipped).toEqual([{ reason: 'DICOMDIR (media index, not an image)', count: 1 }]);
    await store.close();
  });

  it('follows vendor DIRFILEs nested under STUDY records, with file IDs relative to the media root, and reports missing series', async () => {
    const media = tempDir('nested-cd');
    scratch.push(media);
    const ct = sortedFiles(path.join(PHANTOMS, 'ct-axial')).slice(0, 5);
    const mr = sortedFiles(path.join(PHANTOMS, 'mr-sagittal')).slice(0, 4);
    copyInto(ct, path.join(media, 'S1', 'S10'), (i) => `I${100 + i}`);
    copyInto(mr, path.join(media, 'S2', 'S10'), (i) => `I${i + 1}`);
    // Philips/Elscint layout: the root lists STUDY records only, each pointing at a DIRFILE.
    writeDirectoryFile(path.join(media, 'DICOMDIR'), [
      ['STUDY', ['S1', 'DIRFILE']],
      ['STUDY', ['S2', 'DIRFILE']],
    ]);
    writeDirectoryFile(path.join(media, 'S1', 'DIRFILE'), [
      ['SERIES', []],
      ...ct.map((_, i): [string, string[]] => ['IMAGE', ['S1', 'S10', `I${100 + i}`]]),
      ['SERIES', []],
      ['IMAGE', ['S1', 'S20', 'I200']],
      ['IMAGE', ['S1', 'S20', 'I201']],
    ]);
    writeDirectoryFile(path.join(media, 'S2', 'DIRFILE'), [['SERIES', []], ...mr.map((_, i): [string, string[]] => ['IMAGE', ['S2', 'S10', `I${i + 1}`]])]);

    const { report, counts } = await importIntoFresh([path.join(media, 'DICOMDIR')]);
    expect(counts).toEqual({ patients: 1, studies: 1, series: 2, instances: 9 });
    expect(report.dicomdirs[0]).toMatchObject({ nestedDirectories: 2, missingFiles: 2, fallbackScan: false, broken: null });
    expect(report.missing.map((m) => m.fileId).sort()).toEqual(['S1\\S20\\I200', 'S1\\S20\\I201']);
    await store.close();
  });

  it('a CD with files missing imports what exists and lists the rest', async () => {
    const media = tempDir('partial-cd');
    scratch.push(media);
    cpSync(path.join(PHANTOMS, 'patient-cd'), media, { recursive: true });
    const gone = sortedFiles(path.join(media, 'DICOM/ST000001/SE000002')).slice(0, 10);
    for (const f of gone) unlinkSync(f);
    const { report, counts } = await importIntoFresh([path.join(media, 'DICOMDIR')]);
    expect(counts).toEqual({ patients: 1, studies: 1, series: 2, instances: 134 });
    expect(report.missing).toHaveLength(10);
    expect(report.missing.map((m) => m.fileId.split('\\').pop()).sort()).toEqual(gone.map((g) => path.basename(g)).sort());
    await store.close();
  });

  it('an unreadable DICOMDIR falls back to scanning its folder', async () => {
    const media = tempDir('broken-cd');
    scratch.push(media);
    copyInto(sortedFiles(path.join(PHANTOMS, 'ct-axial')).slice(0, 3), path.join(media, 'IMAGES'), (i) => `IM${i}`);
    writeFileSync(path.join(media, 'DICOMDIR'), Buffer.alloc(300, 0x41));
    const { report, counts } = await importIntoFresh([path.join(media, 'DICOMDIR')]);
    expect(report.dicomdirs[0]).toMatchObject({ fallbackScan: true });
    expect(report.dicomdirs[0]!.broken).toBeTruthy();
    expect(counts.instances).toBe(3);
    expect(report.skipped).toEqual([{ reason: 'not a DICOM file', count: 1 }]);
    await store.close();
  });

  it('a DICOMDIR whose every reference is missing falls back to scanning its folder', async () => {
    const media = tempDir('dangling-cd');
    scratch.push(media);
    copyInto(sortedFiles(path.join(PHANTOMS, 'mr-sagittal')).slice(0, 2), path.join(media, 'X'), (i) => `F${i}.dcm`);
    writeDirectoryFile(path.join(media, 'DICOMDIR'), [['IMAGE', ['DICOM', 'NOPE1']], ['IMAGE', ['DICOM', 'NOPE2']]]);
    const { report, counts } = await importIntoFresh([path.join(media, 'DICOMDIR')]);
    expect(report.dicomdirs[0]).toMatchObject({ fallbackScan: true, broken: 'none of the referenced files exist', missingFiles: 2 });
    expect(counts.instances).toBe(2);
    await store.close();
  });
});
