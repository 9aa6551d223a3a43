// The CPU render against dcmtk's dcm2pnm as an independent reference: the same window, the same
// file, 8-bit output within one grey level (rounding at the window's edges may differ by one).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDicom } from '../../../src-shared/dicom/parse';
import type { CodecRegistry } from '../../../src-shared/dicom/codecs/codecTypes';
import { createNodeCodecs } from '../../../src-main/services/codecs/nodeCodecs';
import { renderFrameRgba, renderFrameToPng } from '../../../src-main/services/render/renderFrame';

const DATA = path.resolve(__dirname, '../../../../shared/data');
const CORPUS = path.join(DATA, 'corpus');
const OUT = mkdtempSync(path.join(tmpdir(), 'enclave-render-'));
let codecs: CodecRegistry;

beforeAll(async () => {
  codecs = await createNodeCodecs();
});

/** dcm2pnm's 8-bit PNG as RGBA-free samples (1 per pixel for grey, 3 for colour). */
function dcm2pnm(file: string, args: string[], decompress?: string): { width: number; height: number; data: Buffer } {
  const out = path.join(OUT, `${path.basename(file)}-${args.join('_')}.png`);
  if (decompress) {
    // Debian's dcm2pnm has no codecs built in: decompress with the matching dcmtk tool first.
    const raw = path.join(OUT, `${path.basename(file)}.raw.dcm`);
    const d = spawnSync(decompress, [file, raw], { encoding: 'utf8' });
    if (d.error || d.status !== 0) throw new Error(`${decompress} failed on ${file}: ${d.error?.message ?? d.stderr}`);
    file = raw;
  }
  const r = spawnSync('dcm2pnm', [...args, '+on', file, out], { encoding: 'utf8' });
  if (r.error) throw new Error(`this test needs dcm2pnm (Debian dcmtk): ${r.error.message}`, { cause: r.error });
  if (r.status !== 0) throw new Error(`dcm2pnm failed on ${file}: ${r.stderr}`);
  return PNG.sync.read(readFileSync(out));
}

function maxDiff(ours: Uint8Array, ref: Buffer): { max: number; differing: number } {
  let max = 0;
  let differing = 0;
  for (let i = 0; i < ours.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(ours[i + c]! - ref[i + c]!);
      if (d > max) max = d;
      if (d > 0) differing++;
    }
  }
  return { max, differing };
}

const phantomSlice = () => {
  const dir = path.join(DATA, 'phantoms/ct-axial');
  return path.join(dir, readdirSync(dir).sort()[0]!);
};

const CASES: Array<{ file: () => string; window: [number, number]; decompress?: string }> = [
  { file: phantomSlice, window: [40, 400] },
  { file: phantomSlice, window: [-600, 1500] },
  { file: () => path.join(CORPUS, 'cornerstonejs-dicomParser/testImages/CT1_UNC.explicit_big_endian.dcm'), window: [50, 350] },
  { file: () => path.join(CORPUS, 'dwv/gdcm-CR-MONO1-10-chest.dcm'), window: [512, 1024] },
  { file: () => path.join(CORPUS, 'dcm_qa_ts/In/7.dcm'), window: [300, 600], decompress: 'dcmdjpls' },
  { file: () => path.join(CORPUS, 'dwv/nema-ct1_jpll.dcm'), window: [40, 400], decompress: 'dcmdjpeg' },
];

describe('renderFrameRgba vs dcm2pnm', () => {
  for (const c of CASES) {
    it(`${path.relative(DATA, c.file())} at ${c.window.join('/')} matches within one grey level`, async () => {
      const file = c.file();
      const ours = await renderFrameRgba(parseDicom(new Uint8Array(readFileSync(file))), 0, { window: { center: c.window[0], width: c.window[1] } }, codecs);
      const ref = dcm2pnm(file, ['+Ww', String(c.window[0]), String(c.window[1])], c.decompress);
      expect([ours.width, ours.height]).toEqual([ref.width, ref.height]);
      const d = maxDiff(ours.rgba, ref.data);
      expect(d.max).toBeLessThanOrEqual(1);
      // Off-by-one only at rounding boundaries, not across the image.
      expect(d.differing).toBeLessThan(ours.width * ours.height * 0.05 * 3);
    });
  }

  it('MONOCHROME1 is inverted: the chest radiograph\'s air is white', async () => {
    const file = path.join(CORPUS, 'dwv/gdcm-CR-MONO1-10-chest.dcm');
    const r = await renderFrameRgba(parseDicom(new Uint8Array(readFileSync(file))), 0, { window: { center: 512, width: 1024 } }, codecs);
    const ref = dcm2pnm(file, ['+Ww', '512', '1024']);
    // Corner pixel: outside the body; dcm2pnm inverts MONOCHROME1 too.
    expect(r.rgba[0]).toBe(ref.data[0]);
  });

  it('colour: the RGB render of an uncompressed RGB file equals dcm2pnm', async () => {
    const file = path.join(CORPUS, 'orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.1.dcm');
    const parsed = parseDicom(new Uint8Array(readFileSync(file)));
    const r = await renderFrameRgba(parsed, 0, {}, codecs);
    const ref = dcm2pnm(file, []);
    expect([r.width, r.height]).toEqual([ref.width, ref.height]);
    expect(maxDiff(r.rgba, ref.data).max).toBe(0);
  });

  it('writes a PNG that decodes to the same pixels', async () => {
    const file = phantomSlice();
    const parsed = parseDicom(new Uint8Array(readFileSync(file)));
    const png = PNG.sync.read(Buffer.from(await renderFrameToPng(parsed, 0, { window: { center: 40, width: 400 } }, codecs)));
    const r = await renderFrameRgba(parsed, 0, { window: { center: 40, width: 400 } }, codecs);
    expect(Buffer.compare(png.data, Buffer.from(r.rgba))).toBe(0);
  });

  it('refuses a window without a positive width with a typed error', async () => {
    const parsed = parseDicom(new Uint8Array(readFileSync(phantomSlice())));
    await expect(renderFrameRgba(parsed, 0, { window: { center: 40, width: 0 } }, codecs)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });
});
