// readInstanceMeta against pydicom for every corpus file both read: identifiers, text, numbers.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDicom } from '../../../src-shared/dicom/parse';
import { readInstanceMeta } from '../../../src-shared/dicom/instanceMeta';
import type { InstanceMeta } from '../../../src-shared/dicom/types';
import { isAppError } from '../../../src-shared/errors';
import { filesUnder } from '../../../src-main/services/filesUnder';

const CORPUS = path.resolve(__dirname, '../../../../shared/data/corpus');
const PYTHON = '/usr/bin/python3';
const SKIP = /\.(tsv|md|txt|png|json|zip|gz|nii|jpg|jpeg|raw|dump)$|^(LICENSE|COPYING|README)$/i;

// Fields read from one tag each, with how pydicom's value becomes ours.
const FIELDS: [keyof InstanceMeta, string, 'str' | 'int' | 'num' | 'vec'][] = [
  ['sopClassUid', 'SOPClassUID', 'str'],
  ['sopInstanceUid', 'SOPInstanceUID', 'str'],
  ['patientName', 'PatientName', 'str'],
  ['patientId', 'PatientID', 'str'],
  ['patientBirthDate', 'PatientBirthDate', 'str'],
  ['patientSex', 'PatientSex', 'str'],
  ['studyInstanceUid', 'StudyInstanceUID', 'str'],
  ['studyDate', 'StudyDate', 'str'],
  ['studyTime', 'StudyTime', 'str'],
  ['studyDescription', 'StudyDescription', 'str'],
  ['accessionNumber', 'AccessionNumber', 'str'],
  ['seriesInstanceUid', 'SeriesInstanceUID', 'str'],
  ['seriesNumber', 'SeriesNumber', 'int'],
  ['seriesDescription', 'SeriesDescription', 'str'],
  ['modality', 'Modality', 'str'],
  ['instanceNumber', 'InstanceNumber', 'int'],
  ['frameOfReferenceUid', 'FrameOfReferenceUID', 'str'],
  ['rows', 'Rows', 'int'],
  ['columns', 'Columns', 'int'],
  ['photometricInterpretation', 'PhotometricInterpretation', 'str'],
  ['bitsAllocated', 'BitsAllocated', 'int'],
  ['bitsStored', 'BitsStored', 'int'],
  ['pixelRepresentation', 'PixelRepresentation', 'int'],
  ['imagePositionPatient', 'ImagePositionPatient', 'vec'],
  ['imageOrientationPatient', 'ImageOrientationPatient', 'vec'],
  ['pixelSpacing', 'PixelSpacing', 'vec'],
  ['sliceThickness', 'SliceThickness', 'num'],
  ['rescaleIntercept', 'RescaleIntercept', 'num'],
  ['windowCenter', 'WindowCenter', 'num'],
];

const PY = String.raw`
import json, sys, warnings
warnings.simplefilter('ignore')
import pydicom
from pydicom.multival import MultiValue
keys = json.loads(sys.argv[1])
out = {}
for p in json.load(sys.stdin):
    try:
        ds = pydicom.dcmread(p, force=True, stop_before_pixels=True)
        if 'TransferSyntaxUID' not in ds.file_meta and len(ds) == 0:
            raise ValueError('empty')
        vals = {}
        for k in keys:
            try:
                v = ds.get(k)
            except Exception:
                continue
            if v is None or v == '':
                continue
            if isinstance(v, (MultiValue, list)):
                vals[k] = ['%r' % float(x) if hasattr(x, 'real') else str(x) for x in v]
            elif isinstance(v, (int, float)):
                vals[k] = ['%r' % float(v)]
            else:
                vals[k] = [str(v)]
        out[p] = vals
    except Exception:
        out[p] = None
json.dump(out, sys.stdout)
`;

describe('readInstanceMeta equals pydicom', () => {
  it('reads the same identifiers, text and numbers as pydicom for every corpus file', () => {
    if (!existsSync(PYTHON)) throw new Error(`${PYTHON} with python3-pydicom is required`);
    const files = filesUnder(CORPUS, (n) => !SKIP.test(n));
    const r = spawnSync(PYTHON, ['-c', PY, JSON.stringify(FIELDS.map((f) => f[1]))], { input: JSON.stringify(files), encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error('pydicom failed: ' + r.stderr);
    const ref = JSON.parse(r.stdout) as Record<string, Record<string, string[]> | null>;
    let compared = 0;
    const diffs: string[] = [];
    for (const f of files) {
      const want = ref[f];
      if (!want) continue;
      let meta: InstanceMeta;
      try {
        meta = readInstanceMeta(parseDicom(new Uint8Array(readFileSync(f)), { untilPixelData: true }));
      } catch (e) {
        if (!isAppError(e)) throw e;
        continue; // the corpus walk and tree tests account for files we refuse
      }
      const rel = path.relative(CORPUS, f);
      for (const [field, kw, kind] of FIELDS) {
        const py = want[kw];
        if (!py) continue;
        const ours = meta[field];
        compared++;
        let ok: boolean;
        // pydicom 2.3 leaves ISO 2022 IR 58's escape sequence in the text (see charset.test.ts).
        if (kind === 'str') ok = ours === py.join('\\').replaceAll('\x1b$)A', '').trim();
        else if (kind === 'vec') {
          const v = ours as number[] | null;
          ok = v === null ? py.length < (field === 'imagePositionPatient' ? 3 : field === 'pixelSpacing' ? 2 : 6) : v.every((x, i) => Math.abs(x - Number(py[i])) <= 1e-9 * Math.max(1, Math.abs(x)));
        } else {
          const n = Number(py[0]);
          ok = ours === null ? !Number.isFinite(n) : Math.abs((ours as number) - (kind === 'int' ? Math.trunc(n) : n)) <= 1e-9 * Math.max(1, Math.abs(n));
        }
        // Field names only: the values may identify a patient.
        if (!ok) diffs.push(`${rel}: ${field}`);
      }
    }
    console.log(`instance meta: ${compared} values compared with pydicom, ${diffs.length} differ`);
    expect(compared).toBeGreaterThan(10_000);
    expect(diffs).toEqual([]);
  });
});
