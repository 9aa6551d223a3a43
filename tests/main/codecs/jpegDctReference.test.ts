// Our own DCT decoder (12-bit extended, process 4, and 8-bit when libjpeg-turbo is not loaded) against
// dcmtk: dcmcjpeg encodes at a low and a high quality (small and large coefficients take different
// Huffman paths), dcmdjpeg decodes, and our stored values must equal its exactly.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCodestreamHeader } from '../../../src-shared/dicom/pixels/codestreamHeader';
import { encapsulatedFrame } from '../../../src-shared/dicom/pixels/encapsulatedFrames';
import { readPixelDescription } from '../../../src-shared/dicom/pixels/pixelDescription';
import { CORPUS, DATA, compareWithReference, loadDicom, run } from './referenceHarness';

const tmp = mkdtempSync(join(tmpdir(), 'enclave-jdct-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ctDir = join(DATA, 'phantoms/ct-axial');
const cases = [
  { label: 'CT phantom, 12-bit extended', src: join(ctDir, readdirSync(ctDir).filter((n) => n.endsWith('.dcm')).sort()[20]!), args: ['+ee', '+bt'], bits: 12 },
  { label: 'MR 12-bit, extended', src: join(CORPUS, 'dcm_qa_12bit/In/12bitUnsigned.dcm'), args: ['+ee', '+bt'], bits: 12 },
  { label: '8-bit grey, baseline, 2 frames', src: join(CORPUS, 'dcm4che/test-data/cplx_p02.dcm'), args: ['+eb'], bits: 8 },
].flatMap((c) => [25, 95].map((q) => ({ ...c, q })));

describe('own JPEG DCT decoder against dcmtk', () => {
  it.each(cases)('$label, quality $q', async ({ src, args, bits, q }) => {
    const key = `${cases.findIndex((c) => c.src === src && c.q === q)}`;
    const encoded = join(tmp, `${key}.jpg.dcm`);
    const reference = join(tmp, `${key}.ref.dcm`);
    const enc = await run('dcmcjpeg', [...args, '+q', String(q), src, encoded]);
    expect(enc.code, enc.stderr).toBe(0);
    const file = loadDicom(encoded);
    const desc = readPixelDescription(file.dataSet, file.transferSyntaxUid);
    const header = readCodestreamHeader(encapsulatedFrame(file.dataSet, file.dataSet.elements[desc.pixelTag]!, 0, desc.numberOfFrames, true));
    expect(header.bitsPerSample).toBe(bits);
    const dec = await run('dcmdjpeg', [encoded, reference]);
    expect(dec.code, dec.stderr).toBe(0);
    // No codecs loaded: every frame goes through our decoder, 8-bit included.
    const result = await compareWithReference(file, loadDicom(reference), {});
    expect(result.refused).toEqual([]);
    expect(result.samples).toBeGreaterThan(0);
    expect(result.maxAbsDiff).toBe(0);
  });
});
