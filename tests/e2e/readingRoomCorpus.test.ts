// Every modality on screen, checked against tools written by others: colour images (RGB ultrasound,
// YBR_FULL_422 JPEG, palette colour) against dcmtk's dcm2pnm, MONOCHROME1 shown dark where its stored
// values are high, a radiograph as a 2D picture (no volume warnings, honest calibration, its own window),
// an ultrasound loop played at its frame time, and a Japanese patient name in the tag browser.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PNG } from 'pngjs';
import { REPO, SHARED_DATA, TEST_ORIGIN, startHarness, type Harness } from './harness';
import { attr, imageOnly, importFolder, screenMap, viewOf, waitReady } from './viewerDriver';

const SHOTS = join(REPO, 'test-results');
mkdirSync(SHOTS, { recursive: true });
const CORPUS = join(SHARED_DATA, 'corpus');
const FILES = {
  rgbUs: 'pydicom-data/US1_UNCR.dcm',
  ybr422Jpeg: 'orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.50.dcm',
  palette: 'pydicom-data/OBXXXX1A.dcm',
  mono1Cr: 'dwv/gdcm-CR-MONO1-10-chest.dcm',
  cine: 'debian-octave-dicom/US-PAL-8-10x-echo.dcm',
  japanese: 'debian-python3-pydicom/charset_files/chrJapMulti.dcm',
} as const;

/** dcm2pnm's rendering of frame 0 as RGB bytes (its default: no VOI window for colour, the file's first window for grey). */
function dcm2pnm(file: string, dir: string, args: string[] = []): { width: number; height: number; rgb: (x: number, y: number) => [number, number, number] } {
  const out = join(dir, `${basename(file)}.png`);
  const run = spawnSync('dcmj2pnm', ['+on', '-il', ...args, file, out], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`dcmj2pnm failed: ${run.stderr}`);
  const png = PNG.sync.read(readFileSync(out));
  return { width: png.width, height: png.height, rgb: (x, y) => { const i = (y * png.width + x) * 4; return [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!]; } };
}

/**
 * Mean absolute difference between what the viewport shows and dcm2pnm's picture, per channel, over
 * every screen pixel inside the image; the reference is sampled bilinearly at the image point under
 * each screen pixel's centre, as the renderer samples its texture.
 */
async function madAgainst(h: Harness, ref: ReturnType<typeof dcm2pnm>): Promise<number> {
  const map = await screenMap(h);
  const shot = PNG.sync.read((await imageOnly(h)).png);
  let sum = 0;
  let n = 0;
  for (let y = 0; y < shot.height; y += 2) {
    for (let x = 0; x < shot.width; x += 2) {
      const [i, j] = map.pixelAt([x + 0.5, y + 0.5]);
      if (i < 0.5 || j < 0.5 || i > ref.width - 1.5 || j > ref.height - 1.5) continue;
      const i0 = Math.floor(i), j0 = Math.floor(j), fi = i - i0, fj = j - j0;
      const a = ref.rgb(i0, j0), b = ref.rgb(i0 + 1, j0), c = ref.rgb(i0, j0 + 1), d = ref.rgb(i0 + 1, j0 + 1);
      for (let ch = 0; ch < 3; ch++) {
        const want = (a[ch]! * (1 - fi) + b[ch]! * fi) * (1 - fj) + (c[ch]! * (1 - fi) + d[ch]! * fi) * fj;
        sum += Math.abs(shot.data[(y * shot.width + x) * 4 + ch]! - want);
        n++;
      }
    }
  }
  expect(n).toBeGreaterThan(10_000);
  return sum / n;
}

describe('reading room on real files', () => {
  let h: Harness;
  const work = mkdtempSync(join(tmpdir(), 'enclave-e2e-corpus-'));
  const inbox = join(work, 'in');
  const refs = join(work, 'ref');
  const mad: Record<string, number> = {};

  beforeAll(async () => {
    mkdirSync(inbox);
    mkdirSync(refs);
    for (const f of Object.values(FILES)) copyFileSync(join(CORPUS, f), join(inbox, f.replaceAll('/', '_')));
    h = await startHarness();
    await h.page.goto(`${TEST_ORIGIN}/index.html`);
    expect(await importFolder(h, inbox)).toContain('Imported');
  });
  afterAll(async () => {
    await h?.close();
    rmSync(work, { recursive: true, force: true });
    writeFileSync(join(SHOTS, 'reading-colour-mad.json'), JSON.stringify(mad, null, 2));
  });

  /** Opens the series of the study that `file` belongs to, through the study browser. */
  async function open(file: string, ready = true): Promise<void> {
    const meta = spawnSync('dcmdump', ['+P', '0020,000d', join(CORPUS, file)], { encoding: 'utf8' }).stdout;
    const studyUid = /\[([0-9.]+)\]/.exec(meta)?.[1] ?? '';
    for (const study of await h.store.listStudies()) {
      const series = await h.store.listSeries(study.studyId);
      const instances = await h.store.listInstances(series[0]!.seriesId);
      if (instances[0]?.meta.studyInstanceUid !== studyUid) continue;
      const row = h.page.locator(`[data-testid="study"][data-study-id="${study.studyId}"]`);
      if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
      await h.page.locator(`[data-testid="series"][data-series-id="${series[0]!.seriesId}"]`).click();
      if (ready) await waitReady(h, 0, series[0]!.seriesId);
      else await expect.poll(() => attr(h, 'data-series')).toBe(series[0]!.seriesId);
      return;
    }
    throw new Error(`study of ${file} not listed`);
  }

  for (const [name, file] of [['rgbUs', FILES.rgbUs], ['ybr422Jpeg', FILES.ybr422Jpeg], ['palette', FILES.palette]] as const) {
    it(`shows ${name} (${file}) as dcm2pnm does`, async () => {
      await open(file);
      const view = await viewOf(h);
      expect(view.display.pixelType).toBe('rgb8');
      expect(view.kind).toBe('images');
      expect(await h.page.getByTestId('viewport-notes').count()).toBe(0);
      writeFileSync(join(SHOTS, `reading-${name}.png`), (await imageOnly(h)).png);
      mad[name] = await madAgainst(h, dcm2pnm(join(CORPUS, file), refs));
      expect(mad[name]).toBeLessThan(6);
    });
  }

  it('shows a MONOCHROME1 radiograph dark where its stored values are high, as a 2D picture with its own window', async () => {
    await open(FILES.mono1Cr);
    const view = await viewOf(h);
    expect(view.kind).toBe('images');
    expect(view.display.inverted).toBe(true);
    expect(await h.page.getByTestId('viewport-notes').count()).toBe(0);
    // The file's own window (550/1024), and a label that does not pretend the pixels are millimetres.
    expect(await attr(h, 'data-window-center')).toBe('550.0');
    expect(await attr(h, 'data-window-width')).toBe('1024.0');
    expect(await h.page.getByTestId('overlay-window').innerText()).toContain(view.calibration.unit === 'px' ? 'Uncalibrated (px)' : view.calibration.unit);
    const { grey, png } = await imageOnly(h);
    writeFileSync(join(SHOTS, 'reading-cr-monochrome1.png'), png);
    // dcm2pnm renders MONOCHROME1 with the file's window: ours must agree (and so be dark where stored values are high).
    mad['mono1Cr'] = await madAgainst(h, dcm2pnm(join(CORPUS, FILES.mono1Cr), refs, ['+Wi', '1']));
    expect(mad['mono1Cr']).toBeLessThan(6);
    // Independently: stored values read with pydicom; the brightest-stored tenth must look darker than the dimmest tenth.
    const py = spawnSync('/usr/bin/python3', ['-c', [
      'import sys, pydicom, numpy as np',
      'a = pydicom.dcmread(sys.argv[1]).pixel_array.astype(float)',
      'hi, lo = np.percentile(a, 90), np.percentile(a, 10)',
      'ys, xs = np.nonzero(a >= hi); print(" ".join(f"{x},{y}" for x, y in list(zip(xs, ys))[::97]))',
      'ys, xs = np.nonzero(a <= lo); print(" ".join(f"{x},{y}" for x, y in list(zip(xs, ys))[::97]))',
    ].join('\n'), join(CORPUS, FILES.mono1Cr)], { encoding: 'utf8' });
    const [high, low] = py.stdout.trim().split('\n').map((l) => l.split(' ').map((p) => p.split(',').map(Number) as [number, number]));
    const map = await screenMap(h);
    const plane = map.plane;
    const shade = (pts: [number, number][]) => {
      let s = 0;
      for (const [i, j] of pts) {
        const [x, y] = map.toViewport([plane.origin[0] + i * plane.spacing[0], plane.origin[1] + j * plane.spacing[1], 0]);
        s += grey.at(Math.round(x), Math.round(y));
      }
      return s / pts.length;
    };
    expect(shade(high!)).toBeLessThan(shade(low!) - 50);
  });

  it('plays a multi-frame ultrasound loop at its frame time', async () => {
    await open(FILES.cine);
    const view = await viewOf(h);
    expect(view.cine?.frameTimeMs).toBe(76);
    expect(view.dimensions[2]).toBe(10);
    await h.page.getByTestId('cine').click();
    // Frames advanced per second of wall time, from the frames drawn (a slow renderer may skip frames, never slow the loop).
    const { advanced, ms, drawn } = await h.page.evaluate(async () => {
      const el = document.querySelector<HTMLElement>('[data-testid="viewport"][data-index="0"]')!;
      const n = 10;
      let last = Number(el.dataset['slice']);
      let advanced = 0;
      let drawn = 0;
      const on = (e: Event) => {
        const k = (e as CustomEvent<{ slice: number }>).detail.slice;
        advanced += (k - last + n) % n;
        last = k;
        drawn++;
      };
      el.addEventListener('enclave-drawn', on);
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, 3000));
      el.removeEventListener('enclave-drawn', on);
      return { advanced, ms: performance.now() - t0, drawn };
    });
    await h.page.getByTestId('cine').click();
    const fps = (advanced / ms) * 1000;
    // 1000/76 = 13.2 frames per second.
    expect(fps).toBeGreaterThan(13.16 * 0.85);
    expect(fps).toBeLessThan(13.16 * 1.15);
    expect(drawn).toBeGreaterThan(10);
  });

  it('shows the Japanese patient name in the tag browser as pydicom decodes it (a header-only file: no pixels, said on screen)', async () => {
    await open(FILES.japanese, false);
    await expect.poll(() => h.page.locator('.viewport-error').innerText()).toContain('no pixel data');
    const py = spawnSync('/usr/bin/python3', ['-c', 'import sys, pydicom; print(str(pydicom.dcmread(sys.argv[1]).PatientName))', join(CORPUS, FILES.japanese)], { encoding: 'utf8' });
    const name = py.stdout.trim();
    expect(name).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    await h.page.getByTestId('show-tags').click();
    const row = h.page.getByTestId('tag-browser').locator('[data-testid="tag-row"][data-tag="0010,0010"]');
    await expect.poll(() => row.innerText()).toContain(name);
    await h.page.screenshot({ path: join(SHOTS, 'reading-tags-japanese.png') });
    await h.page.keyboard.press('Escape');
  });
});
