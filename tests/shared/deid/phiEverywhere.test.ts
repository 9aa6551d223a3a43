import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readTree } from '../../../src-shared/dicom/write/readTree';
import { writeTree } from '../../../src-shared/dicom/write/writeTree';
import { findElement, PIXEL_DATA } from '../../../src-shared/dicom/write/elementTree';
import { createDeidContext, deidentifyTree } from '../../../src-shared/deid/deidentify';
import { bytesContain, dciodvfyErrors, dcmdump, PHI_FILE, requireTool, tmpDir } from './deidTestKit';

describe('Basic Profile on phi-everywhere.dcm (issue 5 done-when)', () => {
  let out: string;
  let bytes: Uint8Array;
  const input = new Uint8Array(fs.readFileSync(PHI_FILE));

  beforeAll(() => {
    requireTool('dcmdump');
    requireTool('dciodvfy');
    const tree = readTree(input);
    deidentifyTree(tree, createDeidContext(new TextEncoder().encode('test-installation-secret')));
    bytes = writeTree(tree);
    out = path.join(tmpDir('phi'), 'out.dcm');
    fs.writeFileSync(out, bytes);
  });

  it.each(['ZZPHI', '19310417', '20230917', '1.2.826.0.1.3680043.10.1234', 'ACME PHI'])('leaves no %s anywhere in the file', (token) => {
    expect(bytesContain(input, token)).toBe(true);
    expect(bytesContain(bytes, token)).toBe(false);
  });

  it('keeps the pixel data byte for byte', () => {
    const a = findElement(readTree(input).dataSet, PIXEL_DATA)?.value;
    const b = findElement(readTree(bytes).dataSet, PIXEL_DATA)?.value;
    expect(a?.length).toBe(131072);
    expect(Buffer.from(b ?? []).equals(Buffer.from(a ?? []))).toBe(true);
  });

  it('parses with dcmdump and carries the conformance attributes', () => {
    const dump = dcmdump(out);
    expect(dump).toMatch(/\(0012,0062\) CS \[YES\]/);
    expect(dump).toMatch(/\(0012,0063\) LO \[Enclave PS3\.15 2024b/);
    expect(dump).toMatch(/\(0008,0100\) SH \[113100\]/);
    expect(dump).toMatch(/\(0028,0303\) CS \[REMOVED\]/);
    expect(dump).toMatch(/\(0020,000d\) UI \[2\.25\.\d+\]/);
  });

  it('gives dciodvfy no error the input did not already have', () => {
    const before = new Set(dciodvfyErrors(PHI_FILE));
    const after = dciodvfyErrors(out);
    expect(after.filter((e) => !before.has(e))).toEqual([]);
  });
});
