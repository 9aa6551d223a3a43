// PNG export through the CPU pipeline with a watermark (user, time, label). The picture was looked at;
// the test checks that the watermark's pixels are there and the rest of the image is the rendered frame.
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { exportImagePng, watermarkLines } from '../../../src-main/services/export/imageExport';
import { DATA, PHI_FILE, python, tmpDir } from '../../shared/deid/deidTestKit';
import { testDeps } from './exportKit';

describe('watermarked PNG export', () => {
  const ct = path.join(DATA, 'phantoms/ct-axial', fs.readdirSync(path.join(DATA, 'phantoms/ct-axial')).sort()[40] as string);

  it('writes the frame with the user, the time and the label burned into its lower-left corner', async () => {
    const out = path.join(tmpDir('png'), 'view.png');
    const deps = testDeps();
    await exportImagePng(ct, out, { label: 'Confidential', window: { center: 40, width: 400 } }, deps);
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

  it('refuses a De-identified label for a file flagged for burned-in text unless overridden', async () => {
    const us = path.join(tmpDir('png-us'), 'us.dcm');
    python('import sys, pydicom\nd = pydicom.dcmread(sys.argv[1]); d.Modality = "US"; del d.BurnedInAnnotation; d.save_as(sys.argv[2])', [PHI_FILE, us]);
    await expect(exportImagePng(us, path.join(tmpDir('png2'), 'x.png'), { label: 'De-identified' }, testDeps())).rejects.toMatchObject({ code: 'DEID_BURNED_IN' });
    const deps = testDeps();
    await exportImagePng(us, path.join(tmpDir('png3'), 'x.png'), { label: 'De-identified', burnedInOverride: true }, deps);
    expect(deps.asked).toEqual(['export.image', 'export.burnedInOverride']);
  });
});
