// A whole ct-axial series plus a derived image that references it, exported de-identified to a folder:
// new, consistent Study / Series / Frame of Reference UIDs, and references that still point at the right files.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportDeidentifiedFolder } from '../../../src-main/services/export/folderExport';
import { DATA, python, tmpDir } from '../../shared/deid/deidTestKit';
import { testDeps } from './exportKit';

const SERIES = path.join(DATA, 'phantoms/ct-axial');

// Reads the fields the test compares, with pydicom (independent of our reader).
const DUMP = `
import json, sys, pydicom
out = {}
for f in sys.argv[1:]:
    d = pydicom.dcmread(f)
    refs = [i.ReferencedSOPInstanceUID for i in d.get('SourceImageSequence', [])]
    refs += [i.ReferencedSOPInstanceUID for i in d.get('ReferencedImageSequence', [])]
    rs = [(s.SeriesInstanceUID, [i.ReferencedSOPInstanceUID for i in s.ReferencedInstanceSequence]) for s in d.get('ReferencedSeriesSequence', [])]
    out[f] = dict(sop=d.SOPInstanceUID, meta=d.file_meta.MediaStorageSOPInstanceUID, study=d.StudyInstanceUID, series=d.SeriesInstanceUID,
                  frame=d.FrameOfReferenceUID, z=float(d.ImagePositionPatient[2]), refs=refs, refSeries=rs, name=str(d.PatientName))
print(json.dumps(out))
`;

// A derived image (made with pydicom) referencing two slices of the series three ways.
const MAKE_DERIVED = `
import sys, pydicom
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
a, b, out = sys.argv[1:4]
da, db = pydicom.dcmread(a), pydicom.dcmread(b)
d = pydicom.dcmread(a)
d.SOPInstanceUID = '1.2.826.0.1.3680043.10.1234.77.1'
d.file_meta.MediaStorageSOPInstanceUID = d.SOPInstanceUID
d.SeriesInstanceUID = '1.2.826.0.1.3680043.10.1234.77'
d.ImageType = ['DERIVED', 'SECONDARY', 'AXIAL']
d.BurnedInAnnotation = 'NO'
def ref(x):
    i = Dataset(); i.ReferencedSOPClassUID = x.SOPClassUID; i.ReferencedSOPInstanceUID = x.SOPInstanceUID; return i
d.SourceImageSequence = Sequence([ref(da), ref(db)])
d.ReferencedImageSequence = Sequence([ref(db)])
s = Dataset(); s.SeriesInstanceUID = da.SeriesInstanceUID; s.ReferencedInstanceSequence = Sequence([ref(da)])
d.ReferencedSeriesSequence = Sequence([s])
d.save_as(out)
`;

interface Dumped {
  sop: string;
  meta: string;
  study: string;
  series: string;
  frame: string;
  z: number;
  refs: string[];
  refSeries: [string, string[]][];
  name: string;
}

describe('de-identified folder export of a series', () => {
  const series = fs.readdirSync(SERIES).map((f) => path.join(SERIES, f));
  let derived: string;
  let before: Record<string, Dumped>;

  beforeAll(() => {
    const dir = tmpDir('series-in');
    derived = path.join(dir, 'derived.dcm');
    python(MAKE_DERIVED, [series[3] as string, series[7] as string, derived]);
    before = JSON.parse(python(DUMP, [...series, derived])) as Record<string, Dumped>;
  });

  it('gives every file new, consistent UIDs and keeps references pointing at the right files', async () => {
    const deps = testDeps();
    const out = tmpDir('series-out');
    const result = await exportDeidentifiedFolder([...series, derived], out, {}, deps);
    expect(result.files).toHaveLength(series.length + 1);
    const after = JSON.parse(python(DUMP, result.files.map((f) => f.output))) as Record<string, Dumped>;
    const bySource = new Map(result.files.map((f) => [f.source, after[f.output] as Dumped]));
    const ct = series.map((s) => bySource.get(s) as Dumped);

    const studies = new Set(ct.map((d) => d.study));
    const seriesUids = new Set(ct.map((d) => d.series));
    const frames = new Set(ct.map((d) => d.frame));
    expect(studies.size).toBe(1);
    expect(seriesUids.size).toBe(1);
    expect(frames.size).toBe(1);
    const orig = before[series[0] as string] as Dumped;
    expect([...studies][0]).not.toBe(orig.study);
    expect([...seriesUids][0]).not.toBe(orig.series);
    expect([...frames][0]).not.toBe(orig.frame);
    for (const d of [...ct, bySource.get(derived) as Dumped]) {
      expect(d.sop).toMatch(/^2\.25\.\d+$/);
      expect(d.meta).toBe(d.sop);
      expect(d.name).toBe('');
    }
    expect(new Set(ct.map((d) => d.sop)).size).toBe(series.length);

    // The derived file: same new study and frame of reference, its own new series, references remapped.
    const der = bySource.get(derived) as Dumped;
    expect(der.study).toBe([...studies][0]);
    expect(der.frame).toBe([...frames][0]);
    expect(der.series).not.toBe([...seriesUids][0]);
    const newOf = (src: string) => (bySource.get(src) as Dumped).sop;
    expect(der.refs).toEqual([newOf(series[3] as string), newOf(series[7] as string), newOf(series[7] as string)]);
    expect(der.refSeries).toEqual([[[...seriesUids][0], [newOf(series[3] as string)]]]);

    expect(deps.asked).toEqual(['export.deidentifiedFolder']);
    expect(deps.events).toHaveLength(1);
    expect(deps.events[0]).toMatchObject({ kind: 'export', outcome: 'success', user: 'tester', detail: { files: series.length + 1 } });
    expect(JSON.stringify(deps.events)).not.toMatch(/1\.2\.826|Phantom|ct-axial/);
  });

  it('maps the same way on re-export with the same installation secret, differently with another', async () => {
    const one = await exportDeidentifiedFolder(series.slice(0, 2), tmpDir('re1'), {}, testDeps());
    const two = await exportDeidentifiedFolder(series.slice(0, 2), tmpDir('re2'), {}, testDeps());
    const other = await exportDeidentifiedFolder(series.slice(0, 2), tmpDir('re3'), {}, testDeps({ secret: 'another installation' }));
    expect(two.files.map((f) => f.sopInstanceUid)).toEqual(one.files.map((f) => f.sopInstanceUid));
    expect(other.files.map((f) => f.sopInstanceUid)).not.toEqual(one.files.map((f) => f.sopInstanceUid));
  });

  it('takes instances from the store as (opaque id, reader) pairs: same result as from files', async () => {
    const fromFiles = await exportDeidentifiedFolder(series.slice(0, 3), tmpDir('src-files'), {}, testDeps());
    const sources = series.slice(0, 3).map((f, i) => ({ id: `instance-${i}`, read: async () => new Uint8Array(fs.readFileSync(f)) }));
    const fromStore = await exportDeidentifiedFolder(sources, tmpDir('src-store'), {}, testDeps());
    expect(fromStore.files.map((f) => f.source)).toEqual(['instance-0', 'instance-1', 'instance-2']);
    expect(fromStore.files.map((f) => f.sopInstanceUid)).toEqual(fromFiles.files.map((f) => f.sopInstanceUid));
    expect(fs.readFileSync(fromStore.files[0]?.output as string).equals(fs.readFileSync(fromFiles.files[0]?.output as string))).toBe(true);
  });

  it('refuses without permission, writes nothing, and records the refusal', async () => {
    const deps = testDeps({ deny: ['export.deidentifiedFolder'] });
    const out = path.join(tmpDir('denied'), 'out');
    await expect(exportDeidentifiedFolder(series.slice(0, 1), out, {}, deps)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(fs.existsSync(out)).toBe(false);
    expect(deps.events[0]).toMatchObject({ outcome: 'seriousFailure', detail: { denied: true } });
  });
});
