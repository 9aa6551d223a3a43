// The reading room on the phantoms (ground truth in ../shared/data/phantoms/GROUND_TRUTH.md): calibrated
// measurements, the patient's Left where the labels say L (before and after rotate and flip), sagittal
// labels, two series scrolling in sync by position, identifying text removed from the DOM, and 50
// open/close cycles that leave no vtk object, view or volume behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalOf, planeOfSlice, sliceNearest } from '../../src-shared/viewer/viewGeometry';
import type { Vec3 } from '../../src-shared/dicom/types';
import { REPO, SHARED_DATA, TEST_ORIGIN, startHarness, type Harness } from './harness';
import { blob, meanIn } from './imageAnalysis';
import { attr, drag, goToSlice, importFolder, setToggle, imageOnly, lastAnnotationValue, openSeries, screenMap, viewOf, viewport, vtkStats, waitReady } from './viewerDriver';

const SHOTS = join(REPO, 'test-results');
mkdirSync(SHOTS, { recursive: true });

/** Slice of a volume series whose plane is nearest the patient z (axial stacks). */
function sliceAtZ(view: Awaited<ReturnType<typeof viewOf>>, z: number): number {
  return sliceNearest(view, [0, 0, z]);
}

describe('reading room on the phantoms', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.page.goto(`${TEST_ORIGIN}/index.html`);
    for (const series of ['ct-axial', 'ct-oblique', 'mr-sagittal']) await importFolder(h, join(SHARED_DATA, 'phantoms', series));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('measures 50.0 mm between the bead centres and 200 HU inside the lesion on ct-axial', async () => {
    await openSeries(h, 'Phantom', 'axial');
    await waitReady(h);
    const view = await viewOf(h);
    expect(view.kind).toBe('volume');

    // The beads lie at z = -20; the nearest slice cuts both.
    const k = sliceAtZ(view, -20);
    await goToSlice(h, k);
    const map = await screenMap(h);
    const z = map.plane.origin[2];
    const beads: Vec3[] = [[-25, 20, z], [25, 20, z]];
    // The picture really has the beads where the geometry puts them: bright (1500 HU at 40/400) at both points.
    const { grey, png } = await imageOnly(h);
    writeFileSync(join(SHOTS, 'reading-ct-axial-beads.png'), png);
    for (const b of beads) {
      const [x, y] = map.toViewport(b);
      expect(meanIn(grey, x, y, 1), `bead at ${b.join(',')}`).toBeGreaterThan(200);
    }
    await h.page.getByTestId('tool-length').click();
    await drag(h, map.toPage(beads[0]!), map.toPage(beads[1]!));
    const length = await lastAnnotationValue(h);
    expect(length).toMatch(/mm$/);
    expect(Math.abs(Number.parseFloat(length) - 50)).toBeLessThanOrEqual(0.4);

    // Lesion: sphere of radius 10 at (20, -20, 10), 200 HU; an ellipse of radius 6 about its centre.
    await goToSlice(h, sliceAtZ(view, 10));
    const lesion = await screenMap(h);
    const zl = lesion.plane.origin[2];
    await h.page.getByTestId('tool-ellipse').click();
    await drag(h, lesion.toPage([14, -26, zl]), lesion.toPage([26, -14, zl]));
    const roi = await lastAnnotationValue(h);
    const mean = Number(/Mean (-?[\d.]+)/.exec(roi)?.[1]);
    expect(roi).toContain('HU');
    expect(Math.abs(mean - 200)).toBeLessThanOrEqual(5);
    await h.page.screenshot({ path: join(SHOTS, 'reading-ct-axial-measurements.png') });
    await h.page.getByTestId('tool-windowLevel').click();
  });

  it('keeps the patient-Left marker on the side labelled L, before and after rotate and flip', async () => {
    const view = await viewOf(h);
    // The left marker: box x 55..70, y -35..-20, z 40..55, 1000 HU; under the bone window only it is that bright.
    await goToSlice(h, sliceAtZ(view, 47));
    await h.page.keyboard.press('8'); // bone 1800/400
    await expect.poll(() => attr(h, 'data-window-width')).toBe('1800.0');
    for (const step of ['none', 'r', 'h', 'r', 'v'] as const) {
      if (step !== 'none') await h.page.keyboard.press(step);
      await h.page.waitForTimeout(50);
      const { grey, png } = await imageOnly(h);
      writeFileSync(join(SHOTS, `reading-left-marker-${step}.png`), png);
      const marker = blob(grey, (v) => v > 200);
      const body = blob(grey, (v) => v > 60);
      expect(marker.count, `marker visible after ${step}`).toBeGreaterThan(20);
      const dx = marker.cx - body.cx;
      const dy = marker.cy - body.cy;
      const side = Math.abs(dx) > Math.abs(dy) ? (dx > 0 ? 'right' : 'left') : dy > 0 ? 'bottom' : 'top';
      const label = await h.page.locator('.viewport-cell').first().getByTestId(`orient-${side}`).innerText();
      expect(label, `after ${step} the marker is ${side}`).toContain('L');
    }
    await h.page.keyboard.press(' '); // reset
    await expect.poll(() => attr(h, 'data-rotation')).toBe('0');
  });

  it('labels the sagittal MR anterior/posterior and superior/inferior', async () => {
    await openSeries(h, 'Phantom', 'sag');
    await waitReady(h);
    const cell = h.page.locator('.viewport-cell').first();
    // Rows run toward posterior (0,1,0), columns toward foot (0,0,-1).
    expect(await cell.getByTestId('orient-right').innerText()).toBe('P');
    expect(await cell.getByTestId('orient-left').innerText()).toBe('A');
    expect(await cell.getByTestId('orient-top').innerText()).toBe('S');
    expect(await cell.getByTestId('orient-bottom').innerText()).toBe('I');
    await h.page.screenshot({ path: join(SHOTS, 'reading-mr-sagittal.png') });
  });

  it('scrolls two series of the study in sync by position in a 1x2 layout', async () => {
    await h.page.getByTestId('layout-1x2').click();
    await openSeries(h, 'Phantom', 'axial');
    await viewport(h, 1).click({ position: { x: 5, y: 5 } });
    await openSeries(h, 'Phantom', 'oblique');
    await waitReady(h, 0);
    await waitReady(h, 1);
    await setToggle(h, 'sync-scroll', true);
    const axial = await viewOf(h, 0);
    const oblique = await viewOf(h, 1);
    expect(oblique.frameOfReferenceUid).toBe(axial.frameOfReferenceUid);
    for (const steps of [6, -11]) {
      const box = (await viewport(h, 0).boundingBox())!;
      await h.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      for (let i = 0; i < Math.abs(steps); i++) await h.page.mouse.wheel(0, Math.sign(steps) * 100);
      await h.page.waitForTimeout(100);
      const k = Number(await attr(h, 'data-slice', 0));
      const p = planeOfSlice(axial, k);
      const n = normalOf(p);
      const centre: Vec3 = [0, 1, 2].map((a) => p.origin[a]! + (p.rowDir[a]! * p.spacing[0] * (p.columns - 1)) / 2 + (p.colDir[a]! * p.spacing[1] * (p.rows - 1)) / 2) as Vec3;
      expect(n[2]).toBeCloseTo(1, 5);
      await expect.poll(() => attr(h, 'data-slice', 1)).toBe(String(sliceNearest(oblique, centre)));
    }
    await waitReady(h, 1);
    await h.page.screenshot({ path: join(SHOTS, 'reading-sync-1x2.png') });
    // Reference lines: each viewport shows where the other's plane cuts it.
    expect(await h.page.getByTestId('reference-line').count()).toBeGreaterThan(0);
  });

  it('removes names, IDs and birth dates from the DOM and the screen when identifying text is hidden', async () => {
    const html0 = await h.page.content();
    const tokens = ['Patricia', 'PH-0001', '19700101', '1970-01-01'];
    // Shown first (so the check below can fail)...
    for (const token of ['Patricia', 'PH-0001', '1970-01-01']) expect(html0.includes(token), token).toBe(true);
    await setToggle(h, 'hide-identifying', true);
    const html = await h.page.content();
    for (const token of tokens) expect(html.includes(token), token).toBe(false);
    expect(await h.page.getByTestId('patient-name').count()).toBe(0);
    await h.page.screenshot({ path: join(SHOTS, 'reading-hidden-identifying.png') });
    await setToggle(h, 'hide-identifying', false);
    await h.page.getByTestId('layout-1x1').click();
  });

  it('leaves nothing behind after 50 open/close cycles', async () => {
    await openSeries(h, 'Phantom', 'axial');
    await waitReady(h);
    const cdp = await h.page.context().newCDPSession(h.page);
    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const u = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
      return u.usedSize + (u.backingStorageSize ?? 0);
    };
    // Compare like with like: both snapshots with the whole series in memory and drawn from its volume.
    const complete = () => expect.poll(() => attr(h, 'data-complete'), { timeout: 60_000 }).toBe('true');
    await complete();
    const before = await vtkStats(h);
    const heapBefore = await heap();
    for (let i = 0; i < 50; i++) await waitReady(h, 0, await openSeries(h, 'Phantom', i % 2 === 0 ? 'sag' : 'axial'));
    await waitReady(h, 0, await openSeries(h, 'Phantom', 'axial'));
    await complete();
    const after = await vtkStats(h);
    const heapAfter = await heap();
    expect(after).toEqual(before);
    expect(after.contexts).toBe(1);
    expect(after.openVolumes).toBe(1);
    // Near its start: within 16 MiB (a volume of these phantoms alone is 10 MiB).
    expect(Math.abs(heapAfter - heapBefore)).toBeLessThan(16 * 2 ** 20);
    await cdp.detach();
  });
});

describe('a series over the 3D texture limit', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    // The test hook stands in for a small GPU: 80 slices are over a 3D texture limit of 32.
    await h.page.addInitScript(() => { (window as unknown as { __enclaveMax3DTexture: number }).__enclaveMax3DTexture = 32; });
    await h.page.goto(`${TEST_ORIGIN}/index.html`);
    await importFolder(h, join(SHARED_DATA, 'phantoms', 'ct-axial'));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('still scrolls every slice at full resolution in 2D and says why the volume views would be downsampled', async () => {
    await openSeries(h, 'Phantom', 'axial');
    await waitReady(h);
    expect(await attr(h, 'data-mode')).toBe('slices');
    const notice = await h.page.getByTestId('downsample-notice').innerText();
    expect(notice).toContain('32');
    expect(notice).toMatch(/downsampled by [3-9]/);
    // Every slice still reaches the screen: the lesion at z = 10 is there, at full resolution.
    const view = await viewOf(h);
    await goToSlice(h, sliceAtZ(view, 10));
    const map = await screenMap(h);
    const { grey, png } = await imageOnly(h);
    writeFileSync(join(SHOTS, 'reading-over-texture-limit.png'), png);
    const [x, y] = map.toViewport([20, -20, map.plane.origin[2]]);
    expect(meanIn(grey, x, y, 3)).toBeGreaterThan(150);
  });
});
