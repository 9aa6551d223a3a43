// Everything GDCM's gdcmanon (PS3.15 E.1 mode, libgdcm-tools) removes is removed by Enclave too, over the
// corpus files that carry identifying data. gdcmanon needs a certificate: a throwaway one is made with openssl.
//
// The one difference found, and why it is right: gdcmanon (whose table predates 2017) removes Content Sequence
// (0040,A730) of structured reports; Table E.1-1 of 2024b says D (dummy), so Enclave keeps the tree with every
// text, name, date and code value inside replaced by dummies. What remains under it is structure only:
// relationship and value types, coded-concept sequences (their values dummied), numbers, graphic coordinates,
// references by SOP class and content-item position, registry UIDs of coding schemes.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readTree } from '../../../src-shared/dicom/write/readTree';
import { writeTree } from '../../../src-shared/dicom/write/writeTree';
import { createDeidContext, deidentifyTree } from '../../../src-shared/deid/deidentify';
import { DATA, PHI_FILE, PYTHON, requireTool, tmpDir } from './deidTestKit';

const C = path.join(DATA, 'corpus');
const FILES = [
  PHI_FILE,
  ...['CT_small', 'MR_small', 'rtplan', 'rtstruct', 'rtdose', 'test-SR', 'reportsi', 'waveform_ecg'].map((f) => `${C}/debian-python3-pydicom/test_files/${f}.dcm`),
  ...['US-PAL-8-10x-echo', 'simpleImageWithIcon', 'CT-MONO2-16-ankle'].map((f) => `${C}/debian-octave-dicom/${f}.dcm`),
  `${C}/dcm4che/test-data/ovly_p01.dcm`,
  `${C}/orthanc-tests/MarekLatin2.dcm`,
  `${C}/orthanc-tests/Issue56-NoPixelData.dcm`,
  `${C}/debian-dicomscope/reportki.dcm`,
  `${C}/fo-dicom/GH1301.dcm`,
  `${C}/pydicom-deid/MR_func-sequence-replace.dcm`,
  `${C}/debian-python3-nibabel/0.dcm`,
  `${C}/debian-heudiconv/phantom.dcm`,
  `${C}/icometrix-dicom2nifti/hitachi/001/001.dcm`,
  `${C}/dcm_qa_ge/In/05_3D_Ax_T1_MP_RAGE_R22/i152.MRDC.5`,
];

const STRUCTURE_ONLY = new Set([
  'ContentSequence', 'RelationshipType', 'ValueType', 'ContinuityOfContent', 'ConceptNameCodeSequence', 'ConceptCodeSequence',
  'MeasuredValueSequence', 'MeasurementUnitsCodeSequence', 'NumericValue', 'GraphicData', 'GraphicType', 'TemporalRangeType',
  'ReferencedTimeOffsets', 'ReferencedContentItemIdentifier', 'ReferencedSOPSequence', 'ReferencedSOPClassUID',
  'ReferencedFrameNumber', 'ReferencedWaveformChannels', 'CodingSchemeUID', 'ContextUID', 'MappingResourceUID',
]);

describe('nothing gdcmanon removes is kept by Enclave', () => {
  let dir: string;
  let cert: string;
  beforeAll(() => {
    requireTool('gdcmanon');
    requireTool('openssl');
    dir = tmpDir('gdcmanon');
    cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-keyout', path.join(dir, 'key.pem'), '-out', cert, '-days', '1', '-nodes', '-subj', '/CN=throwaway'], { stdio: 'ignore' });
  });

  it.each(FILES.map((f) => [path.relative(DATA, f), f]))('%s', (_name, file) => {
    const base = path.join(dir, path.basename(file));
    execFileSync('gdcmanon', ['-e', '--certificate', cert, file, `${base}.gdcm.dcm`], { stdio: 'ignore' });
    const tree = readTree(new Uint8Array(fs.readFileSync(file)));
    deidentifyTree(tree, createDeidContext(new TextEncoder().encode('gdcm-compare')));
    fs.writeFileSync(`${base}.enclave.dcm`, writeTree(tree));
    const kept = JSON.parse(
      execFileSync(PYTHON, ['-W', 'ignore', path.join(__dirname, 'gdcmCompare.py'), file, `${base}.gdcm.dcm`, `${base}.enclave.dcm`], { encoding: 'utf8' }),
    ) as [string, string][];
    const unjustified = kept.filter(([p, keyword]) => !(p.startsWith('(0040,A730)') && STRUCTURE_ONLY.has(keyword)));
    expect(unjustified).toEqual([]);
  });

  it("drops another de-identifier's Encrypted Attributes Sequence when de-identifying its output", () => {
    const base = path.join(dir, 'twice');
    execFileSync('gdcmanon', ['-e', '--certificate', cert, PHI_FILE, `${base}.gdcm.dcm`], { stdio: 'ignore' });
    const tree = readTree(new Uint8Array(fs.readFileSync(`${base}.gdcm.dcm`)));
    expect(tree.dataSet.elements.some((e) => e.tag === 0x04000500)).toBe(true);
    deidentifyTree(tree, createDeidContext(new TextEncoder().encode('twice')));
    expect(tree.dataSet.elements.some((e) => e.tag === 0x04000500)).toBe(false);
  });
});
