// Burned-in text redacted on any pixel encoding, through the export service with saved regions (per image
// size): every frame is decoded, the rectangle blanked, the result written uncompressed. Checked with an
// independent decoder: pydicom + numpy read the original (directly for native and RLE; after DCMTK's dcmdjpeg
// for JPEG, after GDCM's gdcmconv --raw for JPEG-LS / JPEG 2000) and the output. Every pixel inside the
// rectangle is one blank value, every pixel outside equals the decoded original, in every frame; dciodvfy
// finds no error the input did not have.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportDeidentifiedFolder } from '../../../src-main/services/export/folderExport';
import type { RedactionRegions } from '../../../src-shared/deid/redactionRegions';
import { DATA, dciodvfyErrors, python, requireTool, tmpDir } from '../../shared/deid/deidTestKit';
import { testDeps } from './exportKit';

const C = path.join(DATA, 'corpus');
type Reference = 'pydicom' | 'dcmdjpeg' | 'gdcmconv';
interface Case {
  file: string;
  reference: Reference;
  rows: number;
  columns: number;
  frames: number;
  lossy: boolean;
  /** Where the image has content (a rectangle over black would prove nothing). */
  rect?: Rect;
}
interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}
const CASES: Case[] = [
  { file: 'pydicom-data/US1_UNCR.dcm', reference: 'pydicom', rows: 480, columns: 640, frames: 1, lossy: false }, // RGB ultrasound, native
  { file: 'orthanc-tests/Issue16.dcm', reference: 'dcmdjpeg', rows: 430, columns: 480, frames: 34, lossy: true, rect: { x: 150, y: 5, width: 120, height: 50 } }, // US cine, JPEG baseline YBR_FULL_422
  { file: 'cornerstonejs-dicomParser/testImages/encapsulated/multi-frame/IM00001.fragmented_no_bot_jpeg_baseline.50.dcm', reference: 'dcmdjpeg', rows: 240, columns: 320, frames: 8, lossy: true },
  { file: 'cornerstonejs-dicomParser/testImages/encapsulated/multi-frame/CT0012.fragmented_no_bot_jpeg_lossless.70.dcm', reference: 'dcmdjpeg', rows: 512, columns: 512, frames: 2, lossy: false, rect: { x: 200, y: 200, width: 64, height: 40 } },
  { file: 'debian-python3-pydicom/test_files/JPEG-lossy.dcm', reference: 'dcmdjpeg', rows: 1024, columns: 256, frames: 1, lossy: true }, // 12-bit JPEG extended
  { file: 'pydicom-data/US1_J2KR.dcm', reference: 'gdcmconv', rows: 480, columns: 640, frames: 1, lossy: false }, // JPEG 2000 lossless, YBR_RCT
  { file: 'pydicom-data/US1_J2KI.dcm', reference: 'gdcmconv', rows: 480, columns: 640, frames: 1, lossy: true }, // JPEG 2000 lossy, YBR_ICT
  { file: 'dcm4che/test-data/jpeg-ls-Palette.dcm', reference: 'gdcmconv', rows: 430, columns: 600, frames: 10, lossy: false }, // JPEG-LS, palette, 10 frames
  { file: 'pydicom-data/OBXXXX1A_rle_2frame.dcm', reference: 'pydicom', rows: 600, columns: 800, frames: 2, lossy: false }, // RLE, palette
  { file: 'debian-python3-pydicom/test_files/SC_rgb_rle_2frame.dcm', reference: 'pydicom', rows: 100, columns: 100, frames: 2, lossy: false }, // RLE RGB
];

const RECT: Rect = { x: 12, y: 7, width: 61, height: 33 };

// Inside: one value per sample everywhere, and the original was not already that. Outside: identical.
const COMPARE = `
import sys, json, pydicom, numpy as np
ref = pydicom.dcmread(sys.argv[1]); out = pydicom.dcmread(sys.argv[2])
x, y, w, h, frames = (int(v) for v in sys.argv[3:8])
a = ref.pixel_array; b = out.pixel_array
if frames == 1: a = a[None]; b = b[None]
mask = np.zeros(a.shape[1:3], bool); mask[y:y+h, x:x+w] = True
inside = b[:, mask]
blank = inside.reshape(-1, inside.shape[-1]) if inside.ndim > 2 else inside.reshape(-1, 1)
codes = [i.CodeValue for i in out.DeidentificationMethodCodeSequence]
print(json.dumps(dict(
  shapeSame=a.shape == b.shape, frames=int(b.shape[0]),
  refPhotometric=ref.PhotometricInterpretation, outPhotometric=out.PhotometricInterpretation,
  insideUniform=bool((blank == blank[0]).all()), blank=[int(v) for v in blank[0]],
  insideChanged=bool((a[:, mask] != b[:, mask]).any()),
  outsideSame=bool((a[:, ~mask] == b[:, ~mask]).all()), outsideCount=int((~mask).sum()) * int(b.shape[0]),
  burnedIn=out.BurnedInAnnotation, codes=codes, ts=str(out.file_meta.TransferSyntaxUID),
  lossy=str(out.get('LossyImageCompression', '')), derivation=str(out.get('DerivationDescription', '')))))
`;

function reference(c: Case, dir: string): string {
  const src = path.join(C, c.file);
  if (c.reference === 'pydicom') return src;
  const out = path.join(dir, `ref-${path.basename(c.file)}`);
  if (c.reference === 'dcmdjpeg') execFileSync('dcmdjpeg', [src, out]);
  else execFileSync('gdcmconv', ['--raw', src, out], { stdio: 'ignore' });
  return out;
}

describe('redaction on any pixel encoding (export service, saved regions by image size)', () => {
  beforeAll(() => {
    for (const t of ['dcmdjpeg', 'gdcmconv', 'dciodvfy']) requireTool(t);
  });

  it.each(CASES)('$file', async (c) => {
    const dir = tmpDir('redact-any');
    const rect = c.rect ?? RECT;
    const regions: RedactionRegions = { version: 1, bySize: [{ columns: c.columns, rows: c.rows, rects: [rect] }] };
    const deps = testDeps();
    const r = await exportDeidentifiedFolder([path.join(C, c.file)], dir, { burnedIn: { regions } }, deps);
    const output = r.files[0]?.output as string;
    expect(r.files[0]?.redacted).toBe(true);
    const s = JSON.parse(python(COMPARE, [reference(c, dir), output, ...[rect.x, rect.y, rect.width, rect.height, c.frames].map(String)])) as Record<string, unknown>;
    expect(s).toMatchObject({ shapeSame: true, frames: c.frames, insideUniform: true, insideChanged: true, outsideSame: true, burnedIn: 'NO', ts: '1.2.840.10008.1.2.1' });
    expect(s['outPhotometric']).toBe(s['refPhotometric']);
    if (s['outPhotometric'] === 'RGB') expect(s['blank']).toEqual([0, 0, 0]);
    expect(s['codes']).toContain('113101');
    if (c.lossy) {
      expect(s['lossy']).toBe('01');
      expect(s['derivation']).toMatch(/re-encoded uncompressed \(the original was lossy compressed\)/);
      expect(r.files[0]?.redactionNote).toMatch(/lossy/);
    } else expect(s['lossy']).not.toBe('01');
    const before = new Set(dciodvfyErrors(path.join(C, c.file)));
    expect(dciodvfyErrors(output).filter((e) => !before.has(e))).toEqual([]);
  });
});
