// Export from the UI (issue 15), against the encrypted cache: a phantom study with identifying data everywhere
// exported anonymised to a folder (dciodvfy: no new errors; no PHI token in any byte, in any of its encodings;
// the export audited with the study as participant); a watermarked PNG of an ultrasound image; redaction
// rectangles drawn with the mouse on an RGB ultrasound and on a multi-frame JPEG ultrasound, checked with
// pydicom + numpy: every pixel inside blanked, every pixel outside equal to the decoded original, every frame.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { StoreSession } from '../../src-main/services/app/storeSession';
import { createNodeCodecs } from '../../src-main/services/codecs/nodeCodecs';
import { filesUnder } from '../../src-main/services/filesUnder';
import { noPolicy } from '../../src-main/services/policy/effectivePolicy';
import { renderFrameRgba } from '../../src-main/services/render/renderFrame';
import type { EncryptedStudyStore } from '../../src-main/services/store/encryptedStudyStore';
import { parseDicom } from '../../src-shared/dicom/parse';
import type { AnnotationRecord } from '../../src-shared/ipc/contract';
import { pixelToWorld } from '../../src-shared/viewer/viewGeometry';
import { redactionCorners } from '../../src-shared/viewer/redaction';
import { REPO, SHARED_DATA, TEST_ORIGIN, startHarness, type Harness } from './harness';
import { drag, importFolder, openSeries, screenMap, setToggle, viewport, waitReady } from './viewerDriver';

const SHOTS = join(REPO, 'test-results');
mkdirSync(SHOTS, { recursive: true });
const PHI_FILE = join(SHARED_DATA, 'phantoms/deid/phi-everywhere.dcm');
const CORPUS = join(SHARED_DATA, 'corpus');
const RGB_US = join(CORPUS, 'pydicom-data/US1_UNCR.dcm');
// US multi-frame, JPEG baseline (1.2.840.10008.1.2.4.50), YBR_FULL, 8 frames of 320x240.
const JPEG_US = join(CORPUS, 'cornerstonejs-dicomParser/testImages/encapsulated/multi-frame/IM00001.fragmented_no_bot_jpeg_baseline.50.dcm');
const PHI_TOKENS = ['ZZPHI', '19310417', '20230917', '1.2.826.0.1.3680043.10.1234', 'ACME PHI'];
const WATERMARK_TEXT = 'Example Hospital - internal use';
const PYTHON = '/usr/bin/python3';

/** The token in every encoding a DICOM string could carry it: ASCII/Latin-1/UTF-8 and UTF-16 both ways. */
function containsToken(bytes: Buffer, token: string): string | null {
  const forms: [string, Buffer][] = [
    ['utf8', Buffer.from(token, 'utf8')],
    ['utf16le', Buffer.from(token, 'utf16le')],
    ['utf16be', Buffer.from(token, 'utf16le').swap16()],
  ];
  for (const [name, form] of forms) if (bytes.includes(form)) return name;
  return null;
}

/** dciodvfy's error lines with numbers masked (a remapped UID must not make an old error look new). */
function dciodvfyErrors(file: string): string[] {
  const r = spawnSync('dciodvfy', [file], { encoding: 'latin1' });
  return [...new Set(`${r.stdout}\n${r.stderr}`.split('\n').filter((l) => l.startsWith('Error')).map((l) => l.replace(/\b\d+(\.\d+)*\b/g, '<n>')))].sort();
}

/** The one entry a fresh export made in `dir` (a folder or a file named enclave-...). */
function onlyEntry(dir: string): string {
  const names = readdirSync(dir);
  expect(names).toHaveLength(1);
  expect(names[0]).toMatch(/^enclave-(export|image)-\d{8}-\d{6}/);
  return join(dir, names[0]!);
}

/**
 * pydicom + numpy: every frame of `output` is 0 inside the rectangle (all samples) and equal to the original
 * outside it. Compressed files are decoded first by dcmtk (JPEG, colour kept as stored: +cn) or GDCM (others),
 * because this machine's pydicom has no JPEG plugin; pydicom then reads the native pixels. When the output
 * was converted to RGB from a YBR original, the original is converted with pydicom's convert_color_space and
 * a difference of at most 1 (rounding of the colour transform) is allowed; otherwise equality is exact.
 */
const CHECK_REDACTION = `
import sys, json, subprocess, tempfile, os
import numpy as np, pydicom
from pydicom.pixel_data_handlers.util import convert_color_space
NATIVE = {'1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2.5'}
def native(path, tmp):
    ds = pydicom.dcmread(path)
    ts = str(ds.file_meta.TransferSyntaxUID)
    if ts in NATIVE: return ds
    out = os.path.join(tmp, os.path.basename(path) + '.raw.dcm')
    if ts in ('1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51', '1.2.840.10008.1.2.4.57', '1.2.840.10008.1.2.4.70'):
        subprocess.run(['dcmdjpeg', '+cn', path, out], check=True)
    else:
        subprocess.run(['gdcmconv', '--raw', path, out], check=True)
    return pydicom.dcmread(out)
def frames(ds):
    a = ds.pixel_array
    n = int(ds.get('NumberOfFrames', 1) or 1)
    return a if n > 1 else a[np.newaxis, ...]
original, output, rect = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
with tempfile.TemporaryDirectory() as tmp:
    o = native(original, tmp); r = native(output, tmp)
    a = frames(o).astype(np.int32); b = frames(r).astype(np.int32)
    pa, pb = str(o.PhotometricInterpretation), str(r.PhotometricInterpretation)
    tol = 0
    if pa != pb:
        a = np.stack([convert_color_space(f.astype(np.uint8), pa, pb) for f in a]).astype(np.int32)
        tol = 1
    x0, y0 = int(rect['x']), int(rect['y']); x1, y1 = x0 + int(rect['width']), y0 + int(rect['height'])
    inside = np.zeros(a.shape[1:3], bool); inside[y0:y1, x0:x1] = True
    res = {'frames': int(a.shape[0]), 'shape': list(b.shape), 'photometric': [pa, pb], 'ts': str(pydicom.dcmread(output).file_meta.TransferSyntaxUID),
           'burnedIn': str(pydicom.dcmread(output).get('BurnedInAnnotation', '')),
           'insidePixels': int(inside.sum()), 'sameShape': a.shape == b.shape}
    if a.shape == b.shape:
        ins = b[:, inside]  # (frames, pixels[, samples])
        # Blanked: no information left inside. Luminance (or every sample, for RGB and grey) is 0; a YBR
        # output may keep Cb/Cr at any one constant value (128 is black, 0 is what a plain zero-fill leaves).
        flat = ins.reshape(ins.shape[0], ins.shape[1], -1)
        if pb.startswith('YBR'):
            res['insideNonZero'] = int(np.count_nonzero(flat[..., 0])) + sum(int(np.count_nonzero(flat[..., c] != flat[0, 0, c])) for c in (1, 2))
        else:
            res['insideNonZero'] = int(np.count_nonzero(flat))
        res['outsideMaxDiff'] = int(np.abs(a[:, ~inside] - b[:, ~inside]).max())
        res['outsideTol'] = tol
        res['originalInsideNonZero'] = int(np.count_nonzero(a[:, inside]))
    print(json.dumps(res))
`;

describe('export from the UI', () => {
  const work = mkdtempSync(join(tmpdir(), 'enclave-e2e-export-'));
  const dataDir = join(work, 'store');
  const inbox = join(work, 'in');
  let h: Harness;
  let cache: StoreSession;

  beforeAll(async () => {
    for (const tool of ['dciodvfy', 'dcmdjpeg', 'gdcmconv']) if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`${tool} is required`);
    mkdirSync(inbox, { recursive: true });
    for (const f of [PHI_FILE, RGB_US, JPEG_US]) copyFileSync(f, join(inbox, f.split('/').pop()!));
    cache = new StoreSession(dataDir, null);
    await cache.start();
    await cache.init();
    const base = noPolicy('e2e');
    h = await startHarness({ cache, policy: { loaded: { ...base, effective: { ...base.effective, WatermarkText: WATERMARK_TEXT } }, network: null } });
    await h.page.goto(`${TEST_ORIGIN}/index.html`);
    expect(await importFolder(h, inbox)).toMatch(/Imported/);
  });

  afterAll(async () => {
    await h?.close();
    await cache?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const runExport = async (name: string, dest: string) => {
    mkdirSync(dest, { recursive: true });
    h.setNextFolder(dest);
    await h.page.getByTestId('export-run').click();
    await h.page.locator('[data-testid="export-summary"], [data-testid="export-error"]').first().waitFor({ timeout: 120_000 });
    await h.page.screenshot({ path: join(SHOTS, `export-${name}-summary.png`) });
    if (await h.page.getByTestId('export-error').count()) throw new Error(`export failed in the UI: ${await h.page.getByTestId('export-error').innerText()}`);
  };

  it('exports the phantom study anonymised to a folder: no new dciodvfy errors, no PHI token in any byte, audited', async () => {
    const study = h.page.getByTestId('study').filter({ hasText: 'ZZPHI' }).first();
    await study.click();
    await h.page.getByTestId('export-study').click();
    await h.page.getByTestId('export-file-count').waitFor();
    expect(await h.page.getByTestId('export-file-count').innerText()).toMatch(/^1 image file/);
    // Keyboard: the dialog opens with focus inside it; Escape closes it, focus returns to the button that opened
    // it; Enter opens it again and, on the preselected "folder" choice, submits it.
    const focusInDialog = () => h.page.evaluate(() => !!document.activeElement?.closest('[data-testid="export-dialog"]'));
    expect(await focusInDialog()).toBe(true);
    await h.page.screenshot({ path: join(SHOTS, 'export-study-dialog.png') });
    for (let i = 0; i < 25; i++) await h.page.keyboard.press('Tab');
    expect(await focusInDialog()).toBe(true);
    await h.page.keyboard.press('Escape');
    await expect.poll(() => h.page.getByTestId('export-dialog').count()).toBe(0);
    expect(await h.page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('export-study');
    await h.page.keyboard.press('Enter');
    await h.page.getByTestId('export-file-count').waitFor();
    expect(await h.page.getByTestId('export-kind-folder').isChecked()).toBe(true);
    const dest = join(work, 'out-folder');
    mkdirSync(dest);
    h.setNextFolder(dest);
    await h.page.getByTestId('export-kind-folder').focus();
    await h.page.keyboard.press('Enter');
    await h.page.getByTestId('export-summary').waitFor({ timeout: 120_000 });
    await h.page.screenshot({ path: join(SHOTS, 'export-study-folder-summary.png') });
    const summary = await h.page.getByTestId('export-summary').innerText();
    expect(summary).toMatch(/1 file exported as enclave-export-/);
    expect(summary).toMatch(/\d+ removed/);
    await h.page.getByTestId('export-done').click();

    const out = onlyEntry(dest);
    const files = filesUnder(out);
    expect(files).toHaveLength(1);
    const input = readFileSync(PHI_FILE);
    const bytes = readFileSync(files[0]!);
    for (const token of PHI_TOKENS) {
      expect(containsToken(input, token), `${token} in the input`).not.toBeNull();
      expect(containsToken(bytes, token), `${token} in the output`).toBeNull();
    }
    const before = new Set(dciodvfyErrors(PHI_FILE));
    expect(dciodvfyErrors(files[0]!).filter((e) => !before.has(e))).toEqual([]);
    expect(execFileSync('dcmdump', ['-q', files[0]!], { encoding: 'latin1' })).toMatch(/\(0012,0062\) CS \[YES\]/);

    // 110106 Export, success, naming the study (an opaque id) as participant; no path or name in the trail.
    const store = cache.get() as EncryptedStudyStore;
    await store.audit.flush();
    const exports = store.audit.list().filter((r) => r.eventId === '110106');
    expect(exports).toHaveLength(1);
    expect(exports[0]).toMatchObject({ outcome: 0, user: 'local', detail: { exportKind: 'export.deidentifiedFolder', files: 1 } });
    const studyId = await study.getAttribute('data-study-id');
    expect(exports[0]!.objects.some((o) => o.id === studyId)).toBe(true);
    // The trail (encrypted, like the cache) names the patient as ATNA asks, but never where the files went.
    expect(JSON.stringify(exports[0])).not.toMatch(/out-folder|enclave-export/);
  });

  it('exports a watermarked PNG of the image on screen, with the policy text', async () => {
    const seriesId = await openSeries(h, 'CompressedSamples');
    await waitReady(h, 0, seriesId);
    await h.page.getByTestId('export-open').click();
    await h.page.getByTestId('export-choice-0').check();
    await h.page.getByTestId('export-kind-image').check();
    await h.page.getByTestId('export-format-png').check();
    await h.page.getByTestId('export-variant-watermarked').check();
    expect(await h.page.getByTestId('export-dialog').innerText()).toContain(WATERMARK_TEXT);
    const dest = join(work, 'out-png');
    await runExport('png', dest);
    await h.page.getByTestId('export-done').click();

    const pngPath = onlyEntry(dest);
    expect(pngPath).toMatch(/\.png$/);
    copyFileSync(pngPath, join(SHOTS, 'export-watermarked.png'));
    const png = PNG.sync.read(readFileSync(pngPath));
    // The same frame without a watermark, through the same CPU pipeline and the window the viewer showed.
    const view = await h.services.series.openSeries(seriesId);
    const plain = await renderFrameRgba(parseDicom(new Uint8Array(readFileSync(RGB_US))), 0, {}, await createNodeCodecs());
    expect([png.width, png.height]).toEqual([plain.width, plain.height]);
    expect(view.dimensions.slice(0, 2)).toEqual([640, 480]);
    // Watermark lines sit in the lower-left corner: compare rows inside that band and rows above it.
    let changedLow = 0, changedHigh = 0, whiteLow = 0;
    for (let y = 0; y < png.height; y++) {
      for (let x = 0; x < png.width; x++) {
        const i = (y * png.width + x) * 4;
        const differs = png.data[i] !== plain.rgba[i] || png.data[i + 1] !== plain.rgba[i + 1] || png.data[i + 2] !== plain.rgba[i + 2];
        if (y >= png.height - 140) {
          if (differs) changedLow++;
          if (differs && png.data[i] === 255 && png.data[i + 1] === 255 && png.data[i + 2] === 255) whiteLow++;
        } else if (differs) changedHigh++;
      }
    }
    expect(changedHigh).toBe(0);
    expect(changedLow).toBeGreaterThan(2000);
    expect(whiteLow).toBeGreaterThan(500);
    // At 640 columns the font is drawn 3x (18 px a character from x = 12): the fixed lines end before x = 380;
    // only the policy's 31-character line reaches beyond.
    let maxX = 0;
    for (let y = png.height - 140; y < png.height; y++) for (let x = 0; x < png.width; x++) {
      const i = (y * png.width + x) * 4;
      if (png.data[i] === 255 && png.data[i + 1] === 255 && png.data[i + 2] === 255 && (plain.rgba[i] !== 255 || plain.rgba[i + 1] !== 255)) maxX = Math.max(maxX, x);
    }
    expect(maxX).toBeGreaterThan(12 + 28 * 18);
  });

  /** Draws a redaction with the mouse over image pixels [x0, x1) x [y0, y1); returns the rectangle saved. */
  async function drawRedaction(seriesId: string, x0: number, y0: number, x1: number, y1: number): Promise<{ x: number; y: number; width: number; height: number }> {
    await h.page.getByTestId('tool-redaction').click();
    const map = await screenMap(h);
    // From the first pixel's centre to the last one's: the tool takes every pixel the drag touches.
    await drag(h, map.toPage(pixelToWorld(map.plane, [x0, y0])), map.toPage(pixelToWorld(map.plane, [x1 - 1, y1 - 1])));
    await h.page.getByTestId('redaction').first().waitFor();
    let saved: AnnotationRecord[] = [];
    await expect.poll(async () => {
      saved = (await h.services.handlers['annotations:list']({ seriesId })).filter((a) => a.kind === 'redaction');
      return saved.length;
    }).toBe(1);
    const [a, b] = saved[0]!.points;
    const rect = { x: Math.min(a![0], b![0]), y: Math.min(a![1], b![1]), width: Math.abs(b![0] - a![0]), height: Math.abs(b![1] - a![1]) };
    // Within a pixel of what was aimed at (the mouse lands on whole screen pixels).
    expect(Math.abs(rect.x - x0)).toBeLessThanOrEqual(1);
    expect(Math.abs(rect.y - y0)).toBeLessThanOrEqual(1);
    expect(Math.abs(rect.x + rect.width - x1)).toBeLessThanOrEqual(1);
    expect(Math.abs(rect.y + rect.height - y1)).toBeLessThanOrEqual(1);
    // The preview: where the saved rectangle falls on screen (through the viewport's own camera), solid black;
    // the corner text, which may overlap it, is hidden meanwhile.
    const corners = redactionCorners(map.plane, rect).map((p) => map.toViewport(p));
    const [sx0, sx1] = [Math.min(...corners.map((c) => c[0])), Math.max(...corners.map((c) => c[0]))];
    const [sy0, sy1] = [Math.min(...corners.map((c) => c[1])), Math.max(...corners.map((c) => c[1]))];
    await setToggle(h, 'overlay-corners', false);
    const shot = PNG.sync.read(await viewport(h).screenshot({ path: join(SHOTS, `export-redaction-preview-${x1}x${y1}.png`) }));
    await setToggle(h, 'overlay-corners', true);
    let dark = 0, n = 0;
    // 3 screen pixels in from the edges: the outline is drawn on the edge itself.
    for (let y = Math.ceil(sy0 + 3); y < sy1 - 3; y++) for (let x = Math.ceil(sx0 + 3); x < sx1 - 3; x++) {
      const i = (y * shot.width + x) * 4;
      n++;
      if (shot.data[i]! + shot.data[i + 1]! + shot.data[i + 2]! === 0) dark++;
    }
    expect(n).toBeGreaterThan(100);
    expect(dark).toBe(n);
    return rect;
  }

  async function exportSeriesWithRedaction(name: string): Promise<string> {
    await h.page.getByTestId('tool-windowLevel').click();
    await h.page.getByTestId('export-open').click();
    await h.page.getByTestId('export-choice-1').check();
    await h.page.getByTestId('export-kind-folder').check();
    await h.page.getByTestId('export-flagged-file').first().waitFor();
    expect(await h.page.getByTestId('export-flagged-file').first().getAttribute('data-redactions')).toBe('1');
    // Flagged files need the explicit confirmation: the button waits for it.
    expect(await h.page.getByTestId('export-run').isDisabled()).toBe(true);
    await h.page.getByTestId('export-confirm-reviewed').check();
    await h.page.screenshot({ path: join(SHOTS, `export-${name}-review.png`) });
    const dest = join(work, `out-${name}`);
    await runExport(name, dest);
    expect(await h.page.getByTestId('export-burned-in-summary').innerText()).toMatch(/1 flagged for burned-in text, 1 redacted/);
    await h.page.getByTestId('export-done').click();
    const files = filesUnder(onlyEntry(dest));
    expect(files).toHaveLength(1);
    return files[0]!;
  }

  function checkRedaction(original: string, output: string, rect: object) {
    const r = JSON.parse(execFileSync(PYTHON, ['-c', CHECK_REDACTION, original, output, JSON.stringify(rect)], { encoding: 'utf8' })) as Record<string, unknown>;
    expect(r['sameShape']).toBe(true);
    expect(r['originalInsideNonZero']).toBeGreaterThan(0); // there was something to blank
    expect(r['insideNonZero']).toBe(0);
    expect(r['outsideMaxDiff']).toBeLessThanOrEqual(r['outsideTol'] as number);
    expect(r['burnedIn']).toBe('NO');
    return r;
  }

  it('redacts a rectangle drawn on an RGB ultrasound: blanked inside, unchanged outside (pydicom + numpy)', async () => {
    const seriesId = await openSeries(h, 'CompressedSamples');
    await waitReady(h, 0, seriesId);
    // The top band of US1 carries the scanner's text.
    const rect = await drawRedaction(seriesId, 40, 10, 300, 60);
    await viewport(h).screenshot({ path: join(SHOTS, 'export-redaction-rgb-viewer.png') });
    const output = await exportSeriesWithRedaction('redact-rgb');
    const r = checkRedaction(RGB_US, output, rect);
    expect(r['frames']).toBe(1);
  });

  // Needs the deid branch (redaction of encapsulated pixel data); with main's service this export fails with
  // "compressed pixel data: decompress before redacting".
  it('redacts a rectangle drawn on a multi-frame JPEG ultrasound in every frame', async () => {
    const seriesId = await openSeries(h, 'US Dopler');
    await waitReady(h, 0, seriesId);
    // Across the top of the Doppler sector: colour and grey pixels in every frame.
    const rect = await drawRedaction(seriesId, 140, 20, 240, 90);
    await viewport(h).screenshot({ path: join(SHOTS, 'export-redaction-jpeg-viewer.png') });
    const output = await exportSeriesWithRedaction('redact-jpeg');
    const r = checkRedaction(JPEG_US, output, rect);
    expect(r['frames']).toBe(8);
    expect(statSync(output).size).toBeGreaterThan(0);
  });
});
