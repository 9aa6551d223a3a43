// Colour models against independent references: pydicom's YBR conversion and palette LUTs (run at
// test time with Debian's pydicom), and Orthanc's reference renders of its transfer-syntax files.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodecRegistry } from '../../../src-shared/dicom/codecs/codecTypes';
import { planarToInterleaved, ybrFullToRgb } from '../../../src-shared/dicom/pixels/colour';
import { decodeFrame } from '../../../src-shared/dicom/pixels/decodeFrame';
import { createNodeCodecs } from '../../../src-main/services/codecs/nodeCodecs';
import { CORPUS, loadDicom } from './referenceHarness';

const PYTHON = '/usr/bin/python3';

// pydicom 2.3: pixel_array, then convert_color_space / apply_color_lut, written as raw little-endian.
const PY = `
import sys, json, numpy as np, pydicom
from pydicom.pixel_data_handlers.util import apply_color_lut, convert_color_space
out = sys.argv[1]; meta = []
for i, path in enumerate(sys.argv[2:]):
    ds = pydicom.dcmread(path, force=True)
    if 'TransferSyntaxUID' not in ds.file_meta:
        ds.file_meta.TransferSyntaxUID = pydicom.uid.ImplicitVRLittleEndian if ds.is_implicit_VR else (pydicom.uid.ExplicitVRLittleEndian if ds.is_little_endian else pydicom.uid.ExplicitVRBigEndian)
    arr = ds.pixel_array
    if ds.get('NumberOfFrames', 1) not in (None, '', 1) and int(ds.NumberOfFrames) > 1:
        arr = arr[0]
    pi = ds.PhotometricInterpretation.strip()
    if pi == 'PALETTE COLOR':
        arr = apply_color_lut(arr, ds)
    elif pi.startswith('YBR'):
        arr = convert_color_space(arr, pi, 'RGB')
    arr = np.ascontiguousarray(arr)
    arr.astype(arr.dtype.newbyteorder('<')).tofile(f'{out}/{i}.raw')
    meta.append({'dtype': arr.dtype.name, 'shape': list(arr.shape)})
print(json.dumps(meta))
`;

const FILES = [
  ['pydicom-data/SC_ybr_full_uncompressed.dcm', 1],
  ['debian-python3-pydicom/test_files/SC_ybr_full_422_uncompressed.dcm', 1],
  ['dcm4che/test-data/YBR_422.dcm', 1],
  ['dcm4che/test-data/YBR_FULL-RLE.dcm', 1],
  ['orthanc-tests/2023-04-21-RLEPlanarConfigurationYBR_FULL.dcm', 1],
  ['pydicom-data/OBXXXX1A.dcm', 0],
  // pydicom 2.3 byte-swaps this big-endian file's OW LUT data (dcmdump shows the same LUT words as in
  // the little-endian OBXXXX1A.dcm), so its reference comes from the little-endian sibling.
  ['pydicom-data/OBXXXX1A_expb.dcm', 0, 'pydicom-data/OBXXXX1A.dcm'],
  ['pydicom-data/OBXXXX1A_rle.dcm', 0],
  ['pydicom-data/OT-PAL-8-face.dcm', 0],
  ['pydicom-data/gdcm-US-ALOKA-16.dcm', 0],
  ['pydicom-data/gdcm-US-ALOKA-16_big.dcm', 0],
  ['debian-octave-dicom/US-PAL-8-10x-echo.dcm', 0],
  ['fo-dicom/TestPattern_Palette.dcm', 0],
  ['fo-dicom/TestPattern_Palette_16.dcm', 0],
  ['orthanc-tests/Implicit-vr-us-palette.dcm', 0],
] as ReadonlyArray<readonly [string, number, string?]>;

let codecs: CodecRegistry;
let dir: string;
beforeAll(async () => {
  codecs = await createNodeCodecs();
  dir = mkdtempSync(join(tmpdir(), 'enclave-colour-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('colour against pydicom', () => {
  it('YBR_FULL, native YBR_FULL_422 and PALETTE COLOR (plain, 16-bit, segmented) match pydicom', async () => {
    const paths = FILES.map(([p, , source]) => join(CORPUS, source ?? p));
    // Fails loudly (not a skip) when Debian's pydicom is missing.
    const meta = JSON.parse(execFileSync(PYTHON, ['-c', PY, dir, ...paths], { encoding: 'utf8', maxBuffer: 1 << 24 })) as Array<{ dtype: string; shape: number[] }>;
    for (let i = 0; i < FILES.length; i++) {
      const [path, tolerance] = FILES[i]!;
      const raw = readFileSync(join(dir, `${i}.raw`));
      const m = meta[i]!;
      const ref = m.dtype === 'uint16' ? new Uint16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2) : m.dtype === 'uint8' ? new Uint8Array(raw) : Float64Array.from(new Float64Array(raw.buffer, raw.byteOffset, raw.byteLength / 8));
      const frame = await decodeFrame(loadDicom(join(CORPUS, path)), 0, codecs);
      const d = maxDiff(frame.pixels, ref);
      console.log(`${path.padEnd(70)} ${frame.photometricInterpretation} ${frame.pixels.constructor.name.padEnd(12)} max|diff| ${d} (tolerance ${tolerance})`);
      expect(frame.samplesPerPixel, path).toBe(3);
      expect(d, path).toBeLessThanOrEqual(tolerance);
    }
  });
});

describe('colour against Orthanc reference renders', () => {
  const TS = join(CORPUS, 'orthanc-tests/TransferSyntaxes');
  it('JPEG baseline YBR_FULL_422 decodes to the reference PNG', async () => {
    const png = PNG.sync.read(readFileSync(join(TS, '1.2.840.10008.1.2.4.50.png')));
    const frame = await decodeFrame(loadDicom(join(TS, '1.2.840.10008.1.2.4.50.dcm')), 0, codecs);
    expect([frame.columns, frame.rows]).toEqual([png.width, png.height]);
    const rgb = new Uint8Array(png.width * png.height * 3);
    for (let i = 0; i < png.width * png.height; i++) for (let c = 0; c < 3; c++) rgb[i * 3 + c] = png.data[i * 4 + c]!;
    const d = maxDiff(frame.pixels, rgb);
    console.log(`4.50 vs Orthanc PNG: max|diff| ${d}`);
    expect(d).toBeLessThanOrEqual(2);
  });

  it('our planar + YBR_FULL -> RGB conversion of the raw YCbCr render matches the reference PNG', () => {
    const png = PNG.sync.read(readFileSync(join(TS, '1.2.840.10008.1.2.4.50.png')));
    // The raw render is planar: the Y plane, then Cb, then Cr.
    const planar = new Uint8Array(readFileSync(join(TS, '1.2.840.10008.1.2.4.50.YBR.raw')));
    expect(planar.length).toBe(png.width * png.height * 3);
    const ybr = ybrFullToRgb(planarToInterleaved(planar, 3), 8);
    let m = 0;
    for (let i = 0; i < png.width * png.height; i++) for (let c = 0; c < 3; c++) m = Math.max(m, Math.abs(ybr[i * 3 + c]! - png.data[i * 4 + c]!));
    console.log(`YBR.raw converted vs Orthanc PNG: max|diff| ${m}`);
    expect(m).toBeLessThanOrEqual(1);
  });
});
