// The Basic Profile reaches identifying values whatever the encoding: implicit VR and big endian files,
// encapsulated pixel data, values in other character sets (raw bytes checked), deep nesting; and Clean
// finds names inside descriptions written in ISO 2022 and UTF-8.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readTree } from '../../../src-shared/dicom/write/readTree';
import { writeTree } from '../../../src-shared/dicom/write/writeTree';
import { type DicomItem, findElement, PIXEL_DATA } from '../../../src-shared/dicom/write/elementTree';
import { createDeidContext, deidentifyTree } from '../../../src-shared/deid/deidentify';
import type { DeidOptions } from '../../../src-shared/deid/profileTypes';
import { profileRowFor } from '../../../src-shared/deid/profile';
import { bytesContain, DATA, dciodvfyErrors, dcmdump, PHI_FILE, python, requireTool, tmpDir } from './deidTestKit';

const secret = new TextEncoder().encode('robustness');
function deid(bytes: Uint8Array, options: DeidOptions = {}): Uint8Array {
  const tree = readTree(bytes);
  deidentifyTree(tree, createDeidContext(secret, options));
  return writeTree(tree);
}

/** Raw bytes of every value of the given tags, at any depth. */
function rawValues(item: DicomItem, tags: Set<number>, out: Uint8Array[] = []): Uint8Array[] {
  for (const el of item.elements) {
    if (el.items) for (const i of el.items) rawValues(i, tags, out);
    else if (tags.has(el.tag) && el.value && el.value.length >= 4) out.push(el.value);
  }
  return out;
}

describe('Basic Profile across encodings', () => {
  let dir: string;
  beforeAll(() => {
    requireTool('dcmconv');
    dir = tmpDir('robust');
  });

  it.each([
    ['implicit VR little endian', '+ti'],
    ['explicit VR big endian', '+tb'],
  ])('phi-everywhere re-encoded as %s', (_name, flag) => {
    const converted = path.join(dir, `phi${flag}.dcm`);
    execFileSync('dcmconv', [flag, PHI_FILE, converted]);
    const input = new Uint8Array(fs.readFileSync(converted));
    const out = deid(input);
    for (const token of ['ZZPHI', '19310417', '20230917', '1.2.826.0.1.3680043.10.1234']) expect(bytesContain(out, token), token).toBe(false);
    const a = findElement(readTree(input).dataSet, PIXEL_DATA)?.value;
    const b = findElement(readTree(out).dataSet, PIXEL_DATA)?.value;
    expect(Buffer.from(b ?? []).equals(Buffer.from(a ?? []))).toBe(true);
    const file = path.join(dir, `out${flag}.dcm`);
    fs.writeFileSync(file, out);
    expect(dcmdump(file)).toMatch(/\(0012,0062\) CS \[YES\]/);
    const before = new Set(dciodvfyErrors(converted));
    expect(dciodvfyErrors(file).filter((e) => !before.has(e))).toEqual([]);
  });

  it('keeps encapsulated (JPEG) pixel data fragment for fragment', () => {
    const src = path.join(DATA, 'corpus/cornerstonejs-dicomParser/testImages/encapsulated/multi-frame/CT0012.fragmented_no_bot_jpeg_baseline.51.dcm');
    const input = new Uint8Array(fs.readFileSync(src));
    const out = deid(input);
    const frags = (b: Uint8Array) => (findElement(readTree(b).dataSet, PIXEL_DATA)?.fragments ?? []).map((f) => Buffer.from(f).toString('base64'));
    expect(frags(out).length).toBeGreaterThan(1);
    expect(frags(out)).toEqual(frags(input));
    const file = path.join(dir, 'jpeg.dcm');
    fs.writeFileSync(file, out);
    execFileSync('dcmdjpeg', [file, path.join(dir, 'jpeg-decoded.dcm')]);
  });

  const CHARSET_FILES = [
    ...fs.readdirSync(path.join(DATA, 'corpus/debian-python3-pydicom/charset_files')).filter((f) => f.endsWith('.dcm')).map((f) => `corpus/debian-python3-pydicom/charset_files/${f}`),
    'corpus/fo-dicom/GH1301.dcm',
    'corpus/fo-dicom/charset/chrGB2312.dcm',
    'corpus/icometrix-dicom2nifti/hitachi/001/001.dcm',
    'corpus/orthanc-tests/MarekLatin2.dcm',
  ];
  // Patient's Name, Patient ID, Referring Physician, Institution, Operators, Performing Physician, Study Description.
  const IDENTIFYING = new Set([0x00100010, 0x00100020, 0x00080090, 0x00080080, 0x00081070, 0x00081050, 0x00081030, 0x00100030]);

  // Where a value also sits in an attribute the table does not name (hitachi/001.dcm: its anonymizer wrote
  // 'dicom2nifti' into Sequence Name (0018,0024) too), the profile keeps that attribute; no attribute the
  // table names may still hold it.
  it.each(CHARSET_FILES)('no identifying value bytes remain in attributes the table names: %s', (rel) => {
    const input = new Uint8Array(fs.readFileSync(path.join(DATA, rel)));
    const values = rawValues(readTree(input).dataSet, IDENTIFYING);
    const out = readTree(deid(input)).dataSet;
    const holders = (item: DicomItem, v: Buffer, acc: number[] = []): number[] => {
      for (const el of item.elements) {
        if (el.items) for (const i of el.items) holders(i, v, acc);
        else if (el.value && Buffer.from(el.value).includes(v)) acc.push(el.tag);
      }
      return acc;
    };
    for (const v of values) expect(holders(out, Buffer.from(v)).filter((t) => profileRowFor(t) !== undefined || (t >>> 16) % 2 === 1)).toEqual([]);
  });

  it('removes identifying attributes at any nesting depth', () => {
    const file = path.join(dir, 'nested.dcm');
    python(
      `
import sys, pydicom
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
d = pydicom.dcmread(sys.argv[1])
inner = Dataset(); inner.PatientName = 'ZZDEEP^Four'; inner.InstitutionName = 'ZZDEEP Hospital'; inner.StudyDate = '19991231'
inner.ReferencedSOPInstanceUID = '1.2.826.0.1.3680043.10.1234.5.5'
for depth in range(4):
    wrap = Dataset(); wrap.ReferencedSeriesSequence = Sequence([inner]); inner = wrap
d.ReferencedSeriesSequence = inner.ReferencedSeriesSequence
d.save_as(sys.argv[2])
`,
      [PHI_FILE, file],
    );
    const out = deid(new Uint8Array(fs.readFileSync(file)));
    for (const t of ['ZZDEEP', '19991231', '1.2.826.0.1.3680043.10.1234']) expect(bytesContain(out, t), t).toBe(false);
  });

  it.each([
    ['ISO_IR 192', ['ISO_IR 192']],
    ['ISO 2022 IR 87', ['ISO 2022 IR 6', 'ISO 2022 IR 87']],
  ])('Clean Descriptors blanks a patient name inside a %s description and keeps the rest', (_n, charset) => {
    const file = path.join(dir, `clean-${charset.length}.dcm`);
    python(
      `
import sys, json, pydicom
d = pydicom.dcmread(sys.argv[1])
d.SpecificCharacterSet = json.loads(sys.argv[3])
d.PatientName = '山田^太郎'
d.StudyDescription = 'CT 山田 follow-up'
d.save_as(sys.argv[2])
`,
      [PHI_FILE, file, JSON.stringify(charset)],
    );
    const input = new Uint8Array(fs.readFileSync(file));
    const yamada = rawValues(readTree(input).dataSet, new Set([0x00100010]))[0] as Uint8Array;
    const out = deid(input, { cleanDescriptors: true });
    const outFile = path.join(dir, `clean-out-${charset.length}.dcm`);
    fs.writeFileSync(outFile, out);
    const desc = python('import sys, pydicom\nprint(pydicom.dcmread(sys.argv[1]).StudyDescription)', [outFile]).trim();
    expect(desc).toMatch(/^CT \*+ follow-up$/);
    expect(desc).not.toMatch(/山田/);
    expect(Buffer.from(out).includes(Buffer.from(yamada))).toBe(false);
  });
});
