// Stored values -> modality LUT -> VOI -> 8-bit grey, against dcmtk's dcm2pnm rendering of the same
// file with the same window (LINEAR, SIGMOID), VOI LUT and MONOCHROME1 inversion; plus BitsStored
// masking and sign extension on the dcm_qa_12bit set, whose high bits hold garbage on purpose.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodecRegistry } from '../../../src-shared/dicom/codecs/codecTypes';
import { decodeFrame } from '../../../src-shared/dicom/pixels/decodeFrame';
import { readPixelDescription } from '../../../src-shared/dicom/pixels/pixelDescription';
import { toModalityValues } from '../../../src-shared/dicom/pixels/modalityLut';
import { applyVoi, applyVoiLut, autoWindow, readVoiPresets, type VoiWindow } from '../../../src-shared/dicom/pixels/voi';
import { createNodeCodecs } from '../../../src-main/services/codecs/nodeCodecs';
import { CORPUS, loadDicom, makeReference, run } from './referenceHarness';

let codecs: CodecRegistry;
let dir: string;
beforeAll(async () => {
  codecs = await createNodeCodecs();
  dir = mkdtempSync(join(tmpdir(), 'enclave-grey-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function readPgm(path: string): { width: number; height: number; data: Uint8Array } {
  const b = readFileSync(path);
  const header: string[] = [];
  let at = 0;
  while (header.length < 4) {
    while (b[at] === 0x20 || b[at] === 0x0a || b[at] === 0x0d || b[at] === 0x09) at++;
    let s = '';
    while (at < b.length && b[at] !== 0x20 && b[at] !== 0x0a && b[at] !== 0x0d && b[at] !== 0x09) s += String.fromCharCode(b[at++]!);
    header.push(s);
  }
  at++;
  if (header[0] !== 'P5' || header[3] !== '255') throw new Error(`not an 8-bit PGM: ${header.join(' ')}`);
  const width = Number(header[1]);
  const height = Number(header[2]);
  return { width, height, data: new Uint8Array(b.subarray(at, at + width * height)) };
}

type Mode = 'file-window' | 'auto-window' | 'sigmoid' | 'voi-lut';

const CASES: Array<[string, Mode]> = [
  ['cornerstonejs-dicomParser/testImages/CT1_UNC.explicit_big_endian.dcm', 'file-window'],
  ['cornerstonejs-dicomParser/testImages/CT1_UNC.explicit_big_endian.dcm', 'sigmoid'],
  ['debian-python3-pydicom/test_files/MR_small.dcm', 'auto-window'],
  ['fo-dicom/CR-MONO1-10-chest', 'auto-window'],
  ['fo-dicom/CR-ModalitySequenceLUT.dcm', 'auto-window'],
  ['pydicom-data/mlut_18.dcm', 'auto-window'],
  ['orthanc-tests/KarstenHilbertRF.dcm', 'file-window'],
  ['pydicom-data/vlut_04.dcm', 'voi-lut'],
  ['dcm_qa_12bit/In/12bitUnsigned_0x0F0F.dcm', 'auto-window'],
  ['dcm_qa_12bit/In/12bitSigned_0x0F0F.dcm', 'auto-window'],
  ['orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.70.dcm', 'auto-window'],
  ['pydicom-data/JLSL_16_15_1_1F.dcm', 'auto-window'],
];

describe('greyscale display pipeline vs dcm2pnm', () => {
  it.each(CASES)('%s (%s)', async (path, mode) => {
    const original = join(CORPUS, path);
    const file = loadDicom(original);
    // dcm2pnm renders native data only: decompress with dcmtk/GDCM first.
    const key = `${path.replace(/[^A-Za-z0-9]+/g, '_')}_${mode}`;
    const ref0 = await makeReference(original, file.transferSyntaxUid, dir, key);
    if (!ref0.tool) throw new Error(`no reference tool: ${ref0.why}`);
    const input = ref0.path;
    const frame = await decodeFrame(file, 0, codecs);
    const values = toModalityValues(frame, file);
    const invert = frame.photometricInterpretation === 'MONOCHROME1';
    const presets = readVoiPresets(file.dataSet, file.transferSyntaxUid === '1.2.840.10008.1.2.2');
    let ours: Uint8Array;
    const args: string[] = ['-O'];
    if (mode === 'voi-lut') {
      expect(presets.luts.length).toBeGreaterThan(0);
      ours = applyVoiLut(values, presets.luts[0]!, invert);
      args.push('+Wl', '1');
    } else {
      const fromFile = presets.windows[0];
      const w: VoiWindow = mode === 'file-window' && fromFile ? fromFile : autoWindow(values);
      if (mode === 'sigmoid') w.fn = 'SIGMOID';
      else w.fn = 'LINEAR';
      ours = applyVoi(values, w, invert);
      args.push('+Ww', String(w.center), String(w.width));
      if (mode === 'sigmoid') args.push('+Wfs');
    }
    const out = join(dir, `${key}.pgm`);
    const r = await run('dcm2pnm', [...args, input, out]);
    expect(r.code, r.stderr).toBe(0);
    const ref = readPgm(out);
    expect([ref.width, ref.height]).toEqual([frame.columns, frame.rows]);
    let max = 0;
    let differing = 0;
    for (let i = 0; i < ours.length; i++) {
      const d = Math.abs(ours[i]! - ref.data[i]!);
      if (d) differing++;
      if (d > max) max = d;
    }
    console.log(`${path} ${mode}: max|diff| ${max}, ${differing}/${ours.length} differ`);
    expect(max).toBe(0);
  });
});

describe('BitsStored masking and sign extension', () => {
  it('masks garbage high bits of unsigned 12-bit data to 0..4095', async () => {
    const frame = await decodeFrame(loadDicom(join(CORPUS, 'dcm_qa_12bit/In/12bitUnsigned_0x0F0F.dcm')), 0, codecs);
    const seen = new Set(frame.pixels);
    expect(Math.max(...seen)).toBeLessThanOrEqual(4095);
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(0);
    expect(seen.has(3855)).toBe(true); // the 0x0F0F stripe
    expect(seen.has(4095)).toBe(true); // the 0xFFFF stripe, high bits masked
  });

  it('sign-extends signed 12-bit data from bit 11', async () => {
    const frame = await decodeFrame(loadDicom(join(CORPUS, 'dcm_qa_12bit/In/12bitSigned_0x0F0F.dcm')), 0, codecs);
    expect(frame.pixels).toBeInstanceOf(Int16Array);
    const seen = new Set(frame.pixels);
    expect(seen.has(-241)).toBe(true); // 0x0F0F as signed 12-bit
    expect(seen.has(-1)).toBe(true); // 0xFFFF as signed 12-bit
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(-2048);
    expect(Math.max(...seen)).toBeLessThanOrEqual(2047);
  });
});

describe('float and double pixel data', () => {
  it.each(['pydicom-data/parametric_map_float.dcm', 'pydicom-data/parametric_map_double_float.dcm'])('%s equals pydicom', async (path) => {
    const input = join(CORPUS, path);
    const py = 'import sys, pydicom, numpy as np; a = pydicom.dcmread(sys.argv[1]).pixel_array; sys.stdout.write(np.ascontiguousarray(a.reshape(-1), dtype="<f8").tobytes().hex())';
    const r = await new Promise<string>((resolve, reject) => {
      execFile('/usr/bin/python3', ['-c', py, input], { maxBuffer: 1 << 26 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
    });
    const bytes = Buffer.from(r, 'hex');
    const ref = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
    const file = loadDicom(input);
    const frames = readPixelDescription(file.dataSet, file.transferSyntaxUid).numberOfFrames;
    const ours: number[] = [];
    for (let f = 0; f < frames; f++) ours.push(...(await decodeFrame(file, f, codecs)).pixels);
    expect(ours.length).toBe(ref.length);
    let same = 0;
    for (let i = 0; i < ref.length; i++) if (ours[i] === ref[i] || (Number.isNaN(ours[i]) && Number.isNaN(ref[i]))) same++;
    expect(same).toBe(ref.length);
  });
});
