// Burned-in text: flagged files are refused unless redacted (pixels changed, Burned In Annotation NO,
// recorded as Clean Pixel Data) or exported under an explicit, permission-checked and audited override.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assessBurnedIn, redactPixelData } from '../../../src-shared/deid';
import { readTree } from '../../../src-shared/dicom/write/readTree';
import { exportDeidentifiedFolder } from '../../../src-main/services/export/folderExport';
import { DATA, PHI_FILE, python, tmpDir } from '../../shared/deid/deidTestKit';
import { testDeps } from './exportKit';
import { createNodeCodecs } from '../../../src-main/services/codecs/nodeCodecs';

const MAKE_US = `
import sys, pydicom
d = pydicom.dcmread(sys.argv[1])
d.Modality = 'US'
d.BurnedInAnnotation = 'YES'
d.save_as(sys.argv[2])
`;

// Pixel statistics with pydicom + numpy: inside and outside the rectangle (x 10..39, y 20..59).
const STATS = `
import sys, json, pydicom, numpy as np
a = pydicom.dcmread(sys.argv[1]).pixel_array.astype(np.int64)
b = pydicom.dcmread(sys.argv[2]).pixel_array.astype(np.int64)
mask = np.zeros(a.shape, bool); mask[20:60, 10:40] = True
print(json.dumps(dict(insideMax=int(b[mask].max()), insideBefore=int(a[mask].max()), outsideSame=bool((a[~mask] == b[~mask]).all()))))
`;

describe('burned-in annotation', () => {
  let us: string;
  beforeAll(() => {
    us = path.join(tmpDir('us'), 'us.dcm');
    python(MAKE_US, [PHI_FILE, us]);
  });

  it('flags Burned In Annotation YES, ultrasound, secondary capture; not a plain CT', () => {
    const read = (f: string) => readTree(new Uint8Array(fs.readFileSync(f)));
    expect(assessBurnedIn(read(us))).toMatchObject({ flagged: true });
    expect(assessBurnedIn(read(path.join(DATA, 'corpus/debian-octave-dicom/US-PAL-8-10x-echo.dcm'))).flagged).toBe(true);
    expect(assessBurnedIn(read(path.join(DATA, 'corpus/debian-python3-pydicom/test_files/SC_rgb_small_odd.dcm'))).flagged).toBe(true);
    expect(assessBurnedIn(read(PHI_FILE)).flagged).toBe(false);
  });

  it('refuses a flagged file without redaction or override, and records the refusal', async () => {
    const deps = testDeps();
    await expect(exportDeidentifiedFolder([us], tmpDir('refused'), {}, deps)).rejects.toMatchObject({ code: 'DEID_BURNED_IN' });
    expect(deps.events[0]).toMatchObject({ outcome: 'minorFailure', detail: { error: 'DEID_BURNED_IN' } });
  });

  it('redacts operator rectangles: pixels blanked, the rest unchanged, Burned In Annotation NO, recorded', async () => {
    const deps = testDeps();
    const out = tmpDir('redacted');
    const rects = new Map([[us, [{ x: 10, y: 20, width: 30, height: 40 }]]]);
    const r = await exportDeidentifiedFolder([us], out, { burnedIn: { redactions: rects } }, deps);
    const output = r.files[0]?.output as string;
    const stats = JSON.parse(python(STATS, [us, output])) as { insideMax: number; insideBefore: number; outsideSame: boolean };
    expect(stats.insideBefore).toBeGreaterThan(0);
    expect(stats.insideMax).toBe(0);
    expect(stats.outsideSame).toBe(true);
    const meta = python(`import sys, pydicom\nd = pydicom.dcmread(sys.argv[1])\nprint(d.BurnedInAnnotation, [i.CodeValue for i in d.DeidentificationMethodCodeSequence])`, [output]);
    expect(meta.trim()).toBe("NO ['113100', '113101']");
    expect(r.files[0]).toMatchObject({ burnedInFlagged: true, redacted: true });
    expect(deps.events[0]).toMatchObject({ outcome: 'success', detail: { redactedFiles: 1 } });
  });

  it('exports unredacted only under an override the user is allowed, and audits it', async () => {
    const allowed = testDeps();
    await exportDeidentifiedFolder([us], tmpDir('override'), { burnedIn: { override: true } }, allowed);
    expect(allowed.asked).toEqual(['export.deidentifiedFolder', 'export.burnedInOverride']);
    expect(allowed.events[0]).toMatchObject({ outcome: 'success', detail: { burnedInOverride: true } });
    const denied = testDeps({ deny: ['export.burnedInOverride'] });
    await expect(exportDeidentifiedFolder([us], tmpDir('override-denied'), { burnedIn: { override: true } }, denied)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
  });

  it('refuses a rectangle that lies outside the image or is empty, rather than exporting unredacted', async () => {
    const tree = () => readTree(new Uint8Array(fs.readFileSync(path.join(DATA, 'corpus/debian-octave-dicom/US-PAL-8-10x-echo.dcm'))));
    await expect(redactPixelData(tree(), [{ x: 600, y: 0, width: 5, height: 5 }], await createNodeCodecs())).rejects.toMatchObject({ code: 'DEID_BURNED_IN' });
    await expect(redactPixelData(tree(), [{ x: 0, y: 0, width: 0, height: 5 }], await createNodeCodecs())).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });

  it('redacts compressed (RLE, palette, 10 frames) pixel data: every frame, written uncompressed', async () => {
    const tree = readTree(new Uint8Array(fs.readFileSync(path.join(DATA, 'corpus/debian-octave-dicom/US-PAL-8-10x-echo.dcm'))));
    const outcome = await redactPixelData(tree, [{ x: 0, y: 0, width: 50, height: 20 }], await createNodeCodecs());
    expect(outcome).toMatchObject({ frames: 10, photometric: 'PALETTE COLOR', reencodedFrom: { transferSyntaxUid: '1.2.840.10008.1.2.5', lossy: false } });
    expect(tree.transferSyntaxUid).toBe('1.2.840.10008.1.2.1');
    expect(outcome.note).toMatch(/decoded from RLE Lossless and re-encoded uncompressed$/);
  });
});
