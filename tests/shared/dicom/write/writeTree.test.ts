import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { readTree } from '../../../../src-shared/dicom/write/readTree';
import { outputTransferSyntax, writeTree } from '../../../../src-shared/dicom/write/writeTree';
import { findElement, PIXEL_DATA } from '../../../../src-shared/dicom/write/elementTree';
import { DATA, dcmdump, requireTool, tmpDir } from '../../deid/deidTestKit';

const inflateRaw = (b: Uint8Array) => new Uint8Array(zlib.inflateRawSync(b));

/** dcmdump text without what legitimately changes on rewrite: meta header, group lengths, length encodings. */
function normalised(file: string): string {
  return dcmdump(file)
    .split('\n')
    .filter((l) => !/^\(0002|^# |GroupLength|Delimitation|^\s*\(fffe,e000\) na|^$/.test(l))
    .map((l) => l.replace(/#.*/, '').replace(/(Sequence|Item) with (explicit|undefined) length.*/, '$1').replace(/ +$/, ''))
    .join('\n');
}

const CASES = [
  'cornerstonejs-dicomParser/testImages/encapsulated/single-frame/CT1_UNC.explicit_little_endian.dcm',
  'cornerstonejs-dicomParser/testImages/CT1_UNC.implicit_little_endian.dcm',
  'cornerstonejs-dicomParser/testImages/CT1_UNC.explicit_big_endian.dcm',
  'cornerstonejs-dicomParser/testImages/encapsulated/single-frame/CT1_UNC.fragmented_no_bot_jpeg_ls.80.dcm',
  'cornerstonejs-dicomParser/testImages/encapsulated/multi-frame/CT0012.fragmented_no_bot_jpeg_baseline.51.dcm',
  'debian-python3-pydicom/test_files/rtplan.dcm',
  'debian-python3-pydicom/test_files/rtstruct.dcm',
  'dcm4che/test-data/ovly_p01.dcm',
  'orthanc-tests/MarekLatin2.dcm',
];

describe('element tree writer', () => {
  let dir: string;
  beforeAll(() => {
    requireTool('dcmdump');
    dir = tmpDir('write');
  });

  it.each(CASES)('rewrites %s with every element and value unchanged', (rel) => {
    const src = path.join(DATA, 'corpus', rel);
    const input = new Uint8Array(fs.readFileSync(src));
    const tree = readTree(input);
    const out = path.join(dir, path.basename(rel));
    fs.writeFileSync(out, writeTree(tree));
    expect(normalised(out)).toBe(normalised(src));
    // Pixel data: the same bytes (native) or the same fragments (encapsulated).
    const again = readTree(new Uint8Array(fs.readFileSync(out)));
    expect(again.transferSyntaxUid).toBe(tree.transferSyntaxUid);
    const a = findElement(tree.dataSet, PIXEL_DATA);
    const b = findElement(again.dataSet, PIXEL_DATA);
    expect(Buffer.from(b?.value ?? []).equals(Buffer.from(a?.value ?? []))).toBe(true);
    expect((b?.fragments ?? []).map((f) => Buffer.from(f).toString('base64'))).toEqual((a?.fragments ?? []).map((f) => Buffer.from(f).toString('base64')));
  });

  it('writes a deflated data set inflated, as explicit VR little endian', () => {
    const src = path.join(DATA, 'corpus/cornerstonejs-dicomParser/testImages/deflate/report_dfl');
    const tree = readTree(new Uint8Array(fs.readFileSync(src)), { inflateRaw });
    expect(outputTransferSyntax(tree)).toBe('1.2.840.10008.1.2.1');
    const out = path.join(dir, 'report_dfl.dcm');
    fs.writeFileSync(out, writeTree(tree));
    expect(normalised(out)).toBe(normalised(src));
  });

  it('rejects truncated input with a typed error', () => {
    const input = new Uint8Array(fs.readFileSync(path.join(DATA, 'corpus/debian-python3-pydicom/test_files/MR_truncated.dcm')));
    expect(() => readTree(input)).toThrow(expect.objectContaining({ code: 'DICOM_PARSE' }));
  });
});
