// De-identified DICOM media: a DICOMDIR the app writes itself, checked with dcmdump (DCMTK) and with
// pydicom's FileSet, which walks the record offsets and loads every referenced file.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportDicomMedia } from '../../../src-main/services/export/dicomMediaExport';
import { scanDicomdir } from '../../../src-main/services/import/dicomdir';
import { DATA, dcmdump, python, requireTool, tmpDir } from '../../shared/deid/deidTestKit';
import { testDeps } from './exportKit';

const WALK = `
import sys, json
from pydicom import dcmread
from pydicom.fileset import FileSet
fs = FileSet(dcmread(sys.argv[1]))
out = []
for inst in fs:
    ds = inst.load()
    out.append(dict(ok=ds.SOPInstanceUID == inst.ReferencedSOPInstanceUIDInFile, series=ds.SeriesInstanceUID,
                    study=inst.node.parent.parent._record.StudyInstanceUID, pid=inst.node.parent.parent.parent._record.PatientID, path=inst.path))
print(json.dumps(out))
`;

describe('DICOM media export with DICOMDIR', () => {
  const pick = (dir: string, n: number) => fs.readdirSync(path.join(DATA, 'phantoms', dir)).sort().slice(0, n).map((f) => path.join(DATA, 'phantoms', dir, f));
  const inputs = [...pick('ct-axial', 6), ...pick('mr-sagittal', 4)];
  let out: string;
  let deps: ReturnType<typeof testDeps>;

  beforeAll(async () => {
    requireTool('dcmdump');
    out = tmpDir('media');
    deps = testDeps();
    await exportDicomMedia(inputs, out, {}, deps);
  });

  it('writes a DICOMDIR that DCMTK parses, with one patient, one study, two series, ten images', () => {
    const dump = dcmdump(path.join(out, 'DICOMDIR'));
    expect(dump).toMatch(/MediaStorageSOPClassUID.*|=MediaStorageDirectoryStorage/);
    const count = (t: string) => (dump.match(new RegExp(`DirectoryRecordType.*|\\(0004,1430\\) CS \\[${t}\\]`, 'g')) ?? []).filter((l) => l.includes(`[${t}]`)).length;
    expect([count('PATIENT'), count('STUDY'), count('SERIES'), count('IMAGE')]).toEqual([1, 1, 2, 10]);
    execFileSync('dcmdump', ['-q', '+sd', '+r', '-M', out], { stdio: 'ignore' });
  });

  it('links records by offset to files that carry the referenced instances (pydicom FileSet)', () => {
    const walked = JSON.parse(python(WALK, [path.join(out, 'DICOMDIR')])) as { ok: boolean; series: string; study: string; pid: string; path: string }[];
    expect(walked).toHaveLength(10);
    expect(walked.every((w) => w.ok)).toBe(true);
    expect(new Set(walked.map((w) => w.series)).size).toBe(2);
    expect(new Set(walked.map((w) => w.pid))).toEqual(new Set([walked[0]?.pid]));
    expect(walked[0]?.pid).toMatch(/^ANON[0-9A-F]{10}$/);
    expect(walked[0]?.path).toMatch(/DICOM[\\/]PT\d{6}[\\/]ST\d{6}[\\/]SE\d{6}[\\/]IM\d{6}$/);
  });

  it("is read back by the app's own importer: every file present, none missing", async () => {
    const scan = await scanDicomdir(path.join(out, 'DICOMDIR'));
    expect(scan.broken).toBeNull();
    expect(scan.files).toHaveLength(10);
    expect(scan.missing).toEqual([]);
    expect(scan.recordsByType).toMatchObject({ PATIENT: 1, STUDY: 1, SERIES: 2, IMAGE: 10 });
  });

  it('leaves no identifying value on the media and audits the export', () => {
    for (const f of execFileSync('find', [out, '-type', 'f'], { encoding: 'utf8' }).trim().split('\n')) {
      const b = fs.readFileSync(f);
      expect(b.includes(Buffer.from('Phantom^Patricia')), f).toBe(false);
      expect(b.includes(Buffer.from('1.2.826.0.1.3680043.10.1234')), f).toBe(false);
    }
    expect(deps.events[0]).toMatchObject({ outcome: 'success', detail: { exportKind: 'export.dicomMedia', files: 10 } });
  });
});
