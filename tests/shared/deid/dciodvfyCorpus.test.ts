// De-identified files stay as conformant as they were: over corpus files of many IODs (CT, MR, enhanced
// MR/CT, RT plan/struct/dose, SR, waveform, NM, US, secondary capture), dciodvfy reports no error the input
// did not already have.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readTree } from '../../../src-shared/dicom/write/readTree';
import { writeTree } from '../../../src-shared/dicom/write/writeTree';
import { createDeidContext, deidentifyTree } from '../../../src-shared/deid/deidentify';
import { DATA, dciodvfyErrors, requireTool, tmpDir } from './deidTestKit';

const C = path.join(DATA, 'corpus');
const FILES = [
  ...['CT_small', 'MR_small', 'rtplan', 'rtstruct', 'rtdose', 'test-SR', 'reportsi', 'waveform_ecg', 'JPEG2000', 'SC_rgb_small_odd', 'liver_1frame'].map((f) => `debian-python3-pydicom/test_files/${f}.dcm`),
  ...['US-PAL-8-10x-echo', 'simpleImageWithIcon', 'CT-MONO2-16-ankle'].map((f) => `debian-octave-dicom/${f}.dcm`),
  'dcm4che/test-data/ovly_p01.dcm',
  'dcm4che/test-data/YBR_422.dcm',
  'dcm4che/test-data/NM-MONO2-16-13x-heart',
  'orthanc-tests/MarekLatin2.dcm',
  'debian-dicomscope/reportki.dcm',
  'pydicom-data/eCT_Supplemental.dcm',
  'dcm_qa_enh/In/Siemens/XA10/6_1.dcm',
  'debian-python3-nibabel/0.dcm',
  'dcm_qa_ge/In/05_3D_Ax_T1_MP_RAGE_R22/i152.MRDC.5',
];

describe('conformance is kept (dciodvfy)', () => {
  let dir: string;
  beforeAll(() => {
    requireTool('dciodvfy');
    dir = tmpDir('dciodvfy');
  });

  it.each(FILES)('%s', (rel) => {
    const src = path.join(C, rel);
    const tree = readTree(new Uint8Array(fs.readFileSync(src)));
    deidentifyTree(tree, createDeidContext(new TextEncoder().encode('dciodvfy')));
    const out = path.join(dir, path.basename(rel));
    fs.writeFileSync(out, writeTree(tree));
    const before = new Set(dciodvfyErrors(src));
    expect(dciodvfyErrors(out).filter((e) => !before.has(e))).toEqual([]);
  });
});
