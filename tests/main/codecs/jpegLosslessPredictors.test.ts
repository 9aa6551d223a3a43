// Every JPEG lossless predictor (selection values 1-7) and a point transform, for 8- and 16-bit,
// signed, grey and RGB: dcmcjpeg encodes, dcmdjpeg decodes, and our stored values must equal its.
// The corpus is mostly predictor 1, so without this the other six predictors would go untested.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encapsulatedFrame } from '../../../src-shared/dicom/pixels/encapsulatedFrames';
import { readPixelDescription } from '../../../src-shared/dicom/pixels/pixelDescription';
import { CORPUS, DATA, compareWithReference, loadDicom, run } from './referenceHarness';

const tmp = mkdtempSync(join(tmpdir(), 'enclave-jpll-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ctDir = join(DATA, 'phantoms/ct-axial');
const sources: Array<[string, string]> = [
  ['CT phantom 16/12 unsigned', join(ctDir, readdirSync(ctDir).filter((n) => n.endsWith('.dcm')).sort()[20]!)],
  ['16-bit signed', join(CORPUS, 'dcm4che/test-data/test16signed.dcm')],
  ['8-bit grey, 2 frames', join(CORPUS, 'dcm4che/test-data/cplx_p02.dcm')],
  ['8-bit RGB', join(CORPUS, 'orthanc-tests/PrivateTags.dcm')],
];

/** Selection value and point transform as the first scan header of frame 0 states them. */
function scanParameters(path: string): { predictor: number; pt: number } {
  const file = loadDicom(path);
  const desc = readPixelDescription(file.dataSet, file.transferSyntaxUid);
  const jpeg = encapsulatedFrame(file.dataSet, file.dataSet.elements[desc.pixelTag]!, 0, desc.numberOfFrames, true);
  for (let i = 0; i + 1 < jpeg.length; i++) {
    if (jpeg[i] === 0xff && jpeg[i + 1] === 0xda) {
      const ns = jpeg[i + 4]!;
      return { predictor: jpeg[i + 5 + 2 * ns]!, pt: jpeg[i + 7 + 2 * ns]! & 15 };
    }
  }
  throw new Error('no scan header');
}

describe('JPEG lossless, every predictor, against dcmtk', () => {
  const cases = sources.flatMap(([label, src]) => [1, 2, 3, 4, 5, 6, 7].flatMap((sv) => [0, 3].map((pt) => ({ label, src, sv, pt }))));
  it.each(cases)('$label, selection value $sv, point transform $pt', async ({ src, sv, pt }) => {
    const key = `${cases.findIndex((c) => c.src === src && c.sv === sv && c.pt === pt)}`;
    const encoded = join(tmp, `${key}.jpll.dcm`);
    const reference = join(tmp, `${key}.ref.dcm`);
    const enc = await run('dcmcjpeg', ['+el', '+sv', String(sv), '+pt', String(pt), src, encoded]);
    expect(enc.code, enc.stderr).toBe(0);
    expect(scanParameters(encoded)).toEqual({ predictor: sv, pt });
    const dec = await run('dcmdjpeg', [encoded, reference]);
    expect(dec.code, dec.stderr).toBe(0);
    const result = await compareWithReference(loadDicom(encoded), loadDicom(reference), {});
    expect(result.refused).toEqual([]);
    expect(result.samples).toBeGreaterThan(0);
    expect(result.maxAbsDiff).toBe(0);
  });
});
