// MPR and 3D on the phantoms (ground truth in ../shared/data/phantoms/GROUND_TRUTH.md), driven as a user
// would: the crosshair is put on a landmark by double-clicking it in two views, and the pictures are
// checked against where the geometry says the anatomy must be.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import type { Vec3 } from '../../src-shared/dicom/types';
import type { MprViewId } from '../../src-shared/viewer/mprGeometry';
import { worldToScreen, type Camera2D, type ImagePlane, type Vec2 } from '../../src-shared/viewer/viewGeometry';
import { REPO, SHARED_DATA, TEST_ORIGIN, startHarness, type Harness } from './harness';
import { blob, decodeGrey, meanIn, type Grey } from './imageAnalysis';
import { drag, importFolder, openSeries, vtkStats, waitReady } from './viewerDriver';

const SHOTS = join(REPO, 'test-results');
mkdirSync(SHOTS, { recursive: true });
const LESION: Vec3 = [20, -20, 10];
const BEADS: [Vec3, Vec3] = [[-25, 20, -20], [25, 20, -20]];
const MARKER: Vec3 = [62.5, -27.5, 47.5];

const consoleLines: string[] = [];
const mprView = (h: Harness, id: MprViewId): Locator => h.page.locator(`[data-testid="mpr-view"][data-view="${id}"]`);
const cellOf = (h: Harness, id: MprViewId): Locator => h.page.locator('.mpr-cell').filter({ has: mprView(h, id) });

async function waitMpr(h: Harness): Promise<void> {
  try {
    await h.page.waitForFunction(() => {
      const views = [...document.querySelectorAll<HTMLElement>('[data-testid="mpr-view"]')];
      return views.length === 3 && views.every((v) => v.dataset['ready'] === 'true' && v.dataset['complete'] === 'true');
    }, undefined, { timeout: 60_000 });
  } catch (e) {
    await h.page.screenshot({ path: join(SHOTS, 'mpr-timeout.png') });
    const state = await h.page.evaluate(() => [...document.querySelectorAll<HTMLElement>('[data-testid="mpr-view"]')].map((v) => ({ ...v.dataset, plane: undefined })));
    writeFileSync(join(SHOTS, 'mpr-console.txt'), consoleLines.join('\n---\n'));
    throw new Error(`MPR views not ready: ${JSON.stringify(state)}; console: ${consoleLines.slice(0, 4).join(' | ')}`, { cause: e });
  }
  // Effects draw in the same frame as the state change; one more frame settles them.
  await h.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

interface MprMap { plane: ImagePlane; camera: Camera2D; box: { x: number; y: number; width: number; height: number }; toViewport(p: Vec3): Vec2; toPage(p: Vec3): Vec2 }

async function mprMap(h: Harness, id: MprViewId): Promise<MprMap> {
  const el = mprView(h, id);
  const plane = JSON.parse((await el.getAttribute('data-plane'))!) as ImagePlane;
  const camera: Camera2D = { focal: (await el.getAttribute('data-focal'))!.split(',').map(Number) as Vec3, mmPerPx: Number(await el.getAttribute('data-mm-per-px')), rotation: 0, flipH: false, flipV: false };
  const box = (await el.boundingBox())!;
  const vp = { width: box.width, height: box.height };
  return {
    plane, camera, box,
    toViewport: (p) => worldToScreen(plane, camera, vp, p),
    toPage: (p) => { const [x, y] = worldToScreen(plane, camera, vp, p); return [box.x + x, box.y + y]; },
  };
}

/** Puts the crosshair centre on p: double-click it in the axial view, then in the coronal view. */
async function centreOn(h: Harness, p: Vec3): Promise<void> {
  for (const id of ['axial', 'coronal'] as const) {
    const m = await mprMap(h, id);
    const [x, y] = m.toPage(p);
    await h.page.mouse.dblclick(x, y);
    await h.page.waitForTimeout(50);
  }
  await waitMpr(h);
  const c = (await mprView(h, 'axial').getAttribute('data-centre'))!.split(',').map(Number);
  // Within one screen pixel of the point asked for (a click lands on a whole pixel).
  const px = Math.max(Number(await mprView(h, 'axial').getAttribute('data-mm-per-px')), Number(await mprView(h, 'coronal').getAttribute('data-mm-per-px')));
  for (let a = 0; a < 3; a++) expect(Math.abs(c[a]! - p[a]!), `centre axis ${a}`).toBeLessThanOrEqual(px);
}

async function shot(h: Harness, id: MprViewId, name: string): Promise<Grey> {
  const set = (v: string) => h.page.evaluate((vis) => { for (const el of document.querySelectorAll<HTMLElement>('.overlay')) el.style.visibility = vis; }, v);
  await set('hidden');
  const png = await mprView(h, id).screenshot();
  await set('visible');
  writeFileSync(join(SHOTS, `${name}.png`), png);
  return decodeGrey(png);
}

/** Trilinear sample of a volume at a continuous index, or null outside it. */
function trilinear(grid: { dimensions: [number, number, number] }, values: ArrayLike<number>, ijk: Vec3): number | null {
  const [ni, nj, nk] = grid.dimensions;
  const f = ijk.map((v, a) => Math.min(Math.max(v, 0), grid.dimensions[a]! - 1));
  if (ijk.some((v, a) => v < -0.5 || v > grid.dimensions[a]! - 0.5)) return null;
  const i0 = Math.min(ni - 2, Math.floor(f[0]!)), j0 = Math.min(nj - 2, Math.floor(f[1]!)), k0 = Math.min(Math.max(0, nk - 2), Math.floor(f[2]!));
  const [di, dj, dk] = [f[0]! - i0, f[1]! - j0, nk > 1 ? f[2]! - k0 : 0];
  const at = (i: number, j: number, k: number) => values[(Math.min(k, nk - 1) * nj + j) * ni + i]!;
  let s = 0;
  for (const [a, wa] of [[0, 1 - di], [1, di]] as const) for (const [b, wb] of [[0, 1 - dj], [1, dj]] as const) for (const [c, wc] of [[0, 1 - dk], [1, dk]] as const) s += wa * wb * wc * at(i0 + a, j0 + b, k0 + c);
  return s;
}

/** Pearson correlation of two equally long samples. */
function correlation(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) { sab += (a[i]! - ma) * (b[i]! - mb); saa += (a[i]! - ma) ** 2; sbb += (b[i]! - mb) ** 2; }
  return sab / Math.sqrt(saa * sbb);
}

describe('MPR on the phantoms', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    h.page.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('GL Driver') && !m.text().includes('Permissions-Policy')) consoleLines.push(`${m.text().slice(0, 300)} @ ${JSON.stringify(m.location())}`); });
    h.page.on('pageerror', (e) => consoleLines.push(`pageerror ${(e.stack ?? e.message).slice(0, 900)}`));
    await h.page.addInitScript(() => {
      // vtk.js jitters its rays with Math.random: a seeded generator makes 3D screenshots repeatable.
      let seed = 12345;
      Math.random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    });
    await h.page.goto(`${TEST_ORIGIN}/index.html`);
    for (const series of ['ct-axial', 'ct-oblique']) await importFolder(h, join(SHARED_DATA, 'phantoms', series));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('shows the lesion disc in the coronal and sagittal reformats of ct-axial where (20, -20, 10) predicts, within 1 mm', async () => {
    await openSeries(h, 'Phantom', 'axial');
    await waitReady(h);
    await h.page.getByTestId('open-mpr').click();
    await waitMpr(h);
    await centreOn(h, LESION);
    await h.page.screenshot({ path: join(SHOTS, 'mpr-ct-axial-lesion.png') });
    for (const id of ['axial', 'coronal', 'sagittal'] as const) {
      const m = await mprMap(h, id);
      const grey = await shot(h, id, `mpr-lesion-${id}`);
      const [px, py] = m.toViewport(LESION);
      // The default window (40/400) draws 200 HU at about 230: the disc is the patch of that grey around the prediction.
      const reach = 15 / m.camera.mmPerPx;
      const disc = blob(grey, (v, x, y) => v >= 205 && v <= 245 && Math.hypot(x - px, y - py) < reach);
      const r = Math.sqrt(disc.count / Math.PI) * m.camera.mmPerPx;
      expect(r, `${id}: disc radius ${r.toFixed(2)} mm`).toBeGreaterThan(8.5);
      expect(r).toBeLessThan(11);
      const off = Math.hypot(disc.cx - px, disc.cy - py) * m.camera.mmPerPx;
      expect(off, `${id}: disc centre ${off.toFixed(2)} mm from the prediction`).toBeLessThanOrEqual(1);
    }
  });

  it('puts the patient-Left marker on the side labelled L (axial, coronal) and only on the left of the sagittal stack', async () => {
    await centreOn(h, MARKER);
    await h.page.getByTestId('mpr-preset-Bone').click();
    await expect.poll(() => mprView(h, 'coronal').getAttribute('data-window-width')).toBe('1800.0');
    await waitMpr(h);
    for (const id of ['axial', 'coronal'] as const) {
      const grey = await shot(h, id, `mpr-left-marker-${id}`);
      const marker = blob(grey, (v) => v > 200);
      const body = blob(grey, (v) => v > 60);
      expect(marker.count, `${id}: marker visible`).toBeGreaterThan(20);
      const dx = marker.cx - body.cx;
      const dy = marker.cy - body.cy;
      const side = Math.abs(dx) > Math.abs(dy) ? (dx > 0 ? 'right' : 'left') : dy > 0 ? 'bottom' : 'top';
      expect(await cellOf(h, id).getByTestId(`orient-${side}`).innerText(), `${id}: marker on the ${side}`).toContain('L');
    }
    expect(await cellOf(h, 'sagittal').getByTestId('orient-right').innerText()).toBe('P');
    expect(await cellOf(h, 'sagittal').getByTestId('orient-top').innerText()).toBe('S');
    const sag = await shot(h, 'sagittal', 'mpr-left-marker-sagittal');
    expect(blob(sag, (v) => v > 200).count, 'sagittal at x = +62.5 (patient left) shows the marker').toBeGreaterThan(20);
  });

  it('measures 50.0 ± 0.5 mm between the beads in the coronal view', async () => {
    await centreOn(h, [0, 20, -20]);
    const m = await mprMap(h, 'coronal');
    const grey = await shot(h, 'coronal', 'mpr-beads-coronal');
    for (const b of BEADS) {
      const [x, y] = m.toViewport(b);
      expect(meanIn(grey, x, y, 1), `bead at ${b.join(',')}`).toBeGreaterThan(200);
    }
    await h.page.getByTestId('tool-length').click();
    await drag(h, m.toPage(BEADS[0]), m.toPage(BEADS[1]));
    const value = (await cellOf(h, 'coronal').getByTestId('annotation').last().getAttribute('data-value')) ?? '';
    expect(value).toMatch(/mm$/);
    expect(Math.abs(Number.parseFloat(value) - 50)).toBeLessThanOrEqual(0.5);
    await h.page.screenshot({ path: join(SHOTS, 'mpr-beads-length.png') });
    await h.page.getByTestId('tool-windowLevel').click();
  });

  it('reformats ct-oblique onto the axial plane as ct-axial shows it (correlation > 0.95)', async () => {
    const sampleAxial = async (): Promise<number[]> => {
      // The series' default window and the patient axes for both.
      await h.page.getByTestId('mpr-reset').click();
      await waitMpr(h);
      await centreOn(h, LESION);
      const m = await mprMap(h, 'axial');
      const grey = await shot(h, 'axial', `mpr-axial-z10-${await mprView(h, 'axial').evaluate((e) => e.closest('[data-series]')?.getAttribute('data-series'))}`);
      const out: number[] = [];
      // Every 3 mm across the body's cross-section at z = 10 (80 x 60 mm around the centre and beyond the lesion).
      for (let x = -84; x <= 84; x += 3) for (let y = -64; y <= 64; y += 3) {
        const [sx, sy] = m.toViewport([x, y, LESION[2]]);
        out.push(meanIn(grey, sx, sy, 0));
      }
      return out;
    };
    const axial = await sampleAxial();
    // Opening another series while MPR is up reformats that series: MPR follows the active viewport.
    const obliqueId = await openSeries(h, 'Phantom', 'oblique');
    await h.page.locator(`[data-testid="mpr-layout"][data-series="${obliqueId}"]`).waitFor({ timeout: 60_000 });
    await waitMpr(h);
    const oblique = await sampleAxial();
    const r = correlation(axial, oblique);
    expect(r, `correlation ${r.toFixed(4)}`).toBeGreaterThan(0.95);
    await h.page.screenshot({ path: join(SHOTS, 'mpr-ct-oblique.png') });
  });

  it('composites a 30 mm slab as MIP, MinIP and mean (beads 12 mm off the plane show only in the MIP)', async () => {
    await h.page.getByTestId('mpr-close').click();
    await openSeries(h, 'Phantom', 'axial');
    await waitReady(h);
    await h.page.getByTestId('open-mpr').click();
    await waitMpr(h);
    await centreOn(h, [0, 20, -8]);
    await h.page.getByTestId('mpr-preset-Bone').click();
    const at = async (name: string): Promise<number[]> => {
      await waitMpr(h);
      const m = await mprMap(h, 'axial');
      const grey = await shot(h, 'axial', `mpr-slab-${name}`);
      return BEADS.map((b) => { const [x, y] = m.toViewport([b[0], b[1], -8]); return meanIn(grey, x, y, 1); });
    };
    const plain = await at('none');
    await h.page.getByTestId('slab-mm').fill('30');
    await h.page.getByTestId('slab-mip').click();
    const mip = await at('mip');
    await h.page.getByTestId('slab-minip').click();
    const minip = await at('minip');
    await h.page.getByTestId('slab-mean').click();
    const mean = await at('mean');
    await h.page.screenshot({ path: join(SHOTS, 'mpr-slab-mean.png') });
    for (let i = 0; i < 2; i++) {
      expect(plain[i], 'no slab: body only').toBeLessThan(110);
      expect(mip[i], 'MIP: the bead').toBeGreaterThan(200);
      expect(minip[i], 'MinIP: no brighter than the body').toBeLessThanOrEqual(plain[i]! + 3);
      expect(mean[i], 'mean: between').toBeGreaterThan(plain[i]! + 5);
      expect(mean[i]).toBeLessThan(mip[i]! - 30);
    }
    await h.page.getByTestId('slab-mm').fill('0');
  });

  it('tilts the coronal and sagittal planes when the crosshair is rotated in the axial view (oblique MPR)', async () => {
    await h.page.getByTestId('mpr-reset').click();
    await waitMpr(h);
    await centreOn(h, LESION);
    const axial = cellOf(h, 'axial');
    const centre = (await axial.getByTestId('crosshair-centre').boundingBox())!;
    const handle = (await axial.getByTestId('rotate-sagittal').first().boundingBox())!;
    const c: Vec2 = [centre.x + centre.width / 2, centre.y + centre.height / 2];
    const a: Vec2 = [handle.x + handle.width / 2, handle.y + handle.height / 2];
    const turn = (30 * Math.PI) / 180;
    const v = [a[0] - c[0], a[1] - c[1]];
    const b: Vec2 = [c[0] + v[0]! * Math.cos(turn) - v[1]! * Math.sin(turn), c[1] + v[0]! * Math.sin(turn) + v[1]! * Math.cos(turn)];
    await drag(h, a, b);
    await waitMpr(h);
    const sagPlane = JSON.parse((await mprView(h, 'sagittal').getAttribute('data-plane'))!) as ImagePlane;
    const n = [sagPlane.rowDir[1] * sagPlane.colDir[2] - sagPlane.rowDir[2] * sagPlane.colDir[1], sagPlane.rowDir[2] * sagPlane.colDir[0] - sagPlane.rowDir[0] * sagPlane.colDir[2], sagPlane.rowDir[0] * sagPlane.colDir[1] - sagPlane.rowDir[1] * sagPlane.colDir[0]];
    const tilt = (Math.acos(Math.min(1, Math.abs(n[0]!))) * 180) / Math.PI;
    expect(tilt, 'sagittal normal tilted about S').toBeGreaterThan(28);
    expect(tilt).toBeLessThan(32);
    expect(Math.abs(n[2]!)).toBeLessThan(1e-6);
    expect(await cellOf(h, 'coronal').getByTestId('orient-right').innerText()).toMatch(/^L[AP]$/);
    expect(await cellOf(h, 'coronal').getByTestId('orient-top').innerText()).toBe('S');
    await h.page.screenshot({ path: join(SHOTS, 'mpr-oblique-30.png') });
    // A sphere cut through its centre is a disc of its radius whatever the tilt: at the predicted point.
    for (const id of ['coronal', 'sagittal'] as const) {
      const m = await mprMap(h, id);
      const grey = await shot(h, id, `mpr-oblique-lesion-${id}`);
      const [px, py] = m.toViewport(LESION);
      const disc = blob(grey, (val, x, y) => val >= 205 && val <= 245 && Math.hypot(x - px, y - py) < 15 / m.camera.mmPerPx);
      expect(Math.sqrt(disc.count / Math.PI) * m.camera.mmPerPx, `${id} disc radius`).toBeGreaterThan(8.5);
      expect(Math.hypot(disc.cx - px, disc.cy - py) * m.camera.mmPerPx, `${id} disc centre`).toBeLessThanOrEqual(1);
    }
    await h.page.getByTestId('mpr-reset').click();
  });

  it('renders every 3D preset (seeded ray jitter); the bone preset shows the spine, the beads, and the Left marker at screen right seen from A', { timeout: 900_000 }, async () => {
    // The first 3D frame compiles the ray caster's shaders: slow under SwiftShader.
    await h.page.getByTestId('mpr-show3d').click({ timeout: 180_000 });
    try {
      await h.page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="volume-view"]')?.dataset['ready'] === 'true', undefined, { timeout: 120_000 });
    } catch (e) {
      await h.page.screenshot({ path: join(SHOTS, 'mpr-3d-timeout.png') });
      writeFileSync(join(SHOTS, 'mpr-console.txt'), consoleLines.join('\n---\n'));
      throw e;
    }
    const view3d = h.page.getByTestId('volume-view');
    const names = await h.page.getByTestId('volume-preset').locator('option').allInnerTexts();
    expect(names.length).toBeGreaterThanOrEqual(7);
    for (const name of names) {
      await h.page.getByTestId('volume-preset').selectOption({ label: name }, { timeout: 180_000 });
      await expect.poll(() => view3d.getAttribute('data-preset')).toBe(name.replace(/ \((CT|MR)\)$/, ''));
      await h.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      await h.page.evaluate(() => { for (const el of document.querySelectorAll<HTMLElement>('.volume-controls, .volume-cell .overlay')) el.style.visibility = 'hidden'; });
      const png = await view3d.screenshot();
      await h.page.evaluate(() => { for (const el of document.querySelectorAll<HTMLElement>('.volume-controls, .volume-cell .overlay')) el.style.visibility = 'visible'; });
      writeFileSync(join(SHOTS, `mpr-3d-${name.replace(/\W+/g, '-').toLowerCase()}.png`), png);
      const grey = decodeGrey(png);
      // An MR preset on CT values (listed with its modality) may rightly show next to nothing.
      if (!name.endsWith('(MR)')) expect(blob(grey, (v) => v > 20).count, `${name}: something is drawn`).toBeGreaterThan(500);
    }
    await h.page.getByTestId('volume-preset').selectOption({ label: 'CT bone' });
    await h.page.getByTestId('volume-view-A').click();
    await h.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    // The picture alone: the 3D controls and the corner text sit over it.
    const setControls = (v: string) => h.page.evaluate((vis) => { for (const el of document.querySelectorAll<HTMLElement>('.volume-controls, .volume-cell .overlay')) el.style.visibility = vis; }, v);
    await setControls('hidden');
    const grey = decodeGrey(await view3d.screenshot({ path: join(SHOTS, 'mpr-3d-bone-from-A.png') }));
    await setControls('visible');
    const lit = blob(grey, (v) => v > 40);
    // The spine runs the full height (z -75..75) at the middle; the only other bright things are the beads
    // (z = -20, x = +-25) and the Left marker (z 40..55, x 55..70).
    const bottom = blob(grey, (v, _x, y) => v > 40 && y > lit.maxY - (lit.maxY - lit.minY) * 0.1);
    const spineX = bottom.cx;
    const margin = (bottom.maxX - bottom.minX) / 2 + 2;
    const top = (side: 1 | -1) => blob(grey, (v, x, y) => v > 40 && y < lit.minY + (lit.maxY - lit.minY) * 0.3 && side * (x - spineX) > margin);
    expect(bottom.count, 'spine at the bottom').toBeGreaterThan(20);
    expect(top(1).count, 'Left marker at screen right').toBeGreaterThan(20);
    expect(top(-1).count, 'nothing bright at screen left up there').toBeLessThan(5);
    const beadRow = lit.minY + (lit.maxY - lit.minY) * ((75 - -20) / 150);
    const beads = (side: 1 | -1) => blob(grey, (v, x, y) => v > 40 && Math.abs(y - beadRow) < (lit.maxY - lit.minY) * 0.04 && side * (x - spineX) > margin);
    expect(beads(1).count, 'right bead').toBeGreaterThan(1);
    expect(beads(-1).count, 'left bead').toBeGreaterThan(1);
    await h.page.screenshot({ path: join(SHOTS, 'mpr-3d-layout.png') });
    await h.page.getByTestId('mpr-show3d').click();
  });

  it('downsamples a volume over a forced low 3D texture limit, says so on screen, and still draws', async () => {
    await h.page.getByTestId('mpr-close').click();
    await openSeries(h, 'Phantom', 'oblique');
    await waitReady(h);
    await h.page.evaluate(() => { (window as unknown as { __enclaveMax3DTexture?: number }).__enclaveMax3DTexture = 64; });
    try {
      await openSeries(h, 'Phantom', 'axial');
      await waitReady(h);
      await h.page.getByTestId('open-mpr').click();
      await waitMpr(h);
      const notice = await h.page.getByTestId('downsample-notice').innerText();
      expect(notice).toContain('downsampled by 4');
      expect(notice).toContain('3D texture limit of 64');
      await centreOn(h, LESION);
      const m = await mprMap(h, 'coronal');
      const grey = await shot(h, 'coronal', 'mpr-downsampled-coronal');
      const [px, py] = m.toViewport(LESION);
      expect(meanIn(grey, px, py, 2), 'lesion drawn from the downsampled copy').toBeGreaterThan(180);
      expect(blob(grey, (v) => v > 60).count, 'not black').toBeGreaterThan(1000);
      await h.page.screenshot({ path: join(SHOTS, 'mpr-downsampled.png') });
    } finally {
      await h.page.evaluate(() => { delete (window as unknown as { __enclaveMax3DTexture?: number }).__enclaveMax3DTexture; });
      await h.page.getByTestId('mpr-close').click();
    }
  });

  it('says so when the WebGL context is lost and rebuilds the views when it is restored', async () => {
    if (await h.page.getByTestId('mpr-close').count()) await h.page.getByTestId('mpr-close').click();
    await openSeries(h, 'Phantom', 'axial');
    await waitReady(h);
    await h.page.getByTestId('open-mpr').click();
    await waitMpr(h);
    await centreOn(h, LESION);
    const m = await mprMap(h, 'coronal');
    const [px, py] = m.toViewport(LESION);
    const before = await shot(h, 'coronal', 'mpr-before-context-loss');
    // The extension object must be taken before the loss: a lost context hands out no extensions.
    const loseContext = (lose: boolean) => h.page.evaluate((l) => {
      const w = window as unknown as { __enclaveRootContext?: () => WebGL2RenderingContext | null; __loseExt?: WEBGL_lose_context | null };
      w.__loseExt ??= w.__enclaveRootContext?.()?.getExtension('WEBGL_lose_context') ?? null;
      if (!w.__loseExt) throw new Error('no WEBGL_lose_context');
      if (l) w.__loseExt.loseContext(); else w.__loseExt.restoreContext();
    }, lose);
    await loseContext(true);
    await expect.poll(() => h.page.getByTestId('mpr-message').count(), { timeout: 30_000 }).toBe(1);
    expect(await h.page.getByTestId('mpr-message').innerText()).toContain('graphics context was lost');
    await h.page.screenshot({ path: join(SHOTS, 'mpr-context-lost.png') });
    await loseContext(false);
    await expect.poll(() => h.page.getByTestId('mpr-message').count(), { timeout: 30_000 }).toBe(0);
    await waitMpr(h);
    await centreOn(h, LESION);
    const after = await shot(h, 'coronal', 'mpr-after-context-restored');
    expect(meanIn(after, px, py, 2), 'lesion drawn again after the restore').toBeGreaterThan(180);
    expect(Math.abs(meanIn(after, px, py, 20) - meanIn(before, px, py, 20)), 'same picture as before the loss').toBeLessThan(3);
    await h.page.getByTestId('mpr-close').click();
  });

  it('shows the 15.5-degree tilted CT (dicom2nifti sliceincrement/002) on the engine\'s resampled grid, without shear, with the tilt warning', async () => {
    const dir = join(SHARED_DATA, 'corpus', 'icometrix-dicom2nifti', 'failing', 'sliceincrement', '002');
    if (await h.page.getByTestId('mpr-close').count()) await h.page.getByTestId('mpr-close').click();
    await importFolder(h, dir);
    // The study list refreshes after the import has said it is done.
    await expect.poll(() => h.page.getByTestId('study').count(), { timeout: 30_000 }).toBeGreaterThan(1);
    const row = h.page.getByTestId('study').filter({ hasNotText: 'Phantom' }).first();
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
    await h.page.getByTestId('series').first().click();
    await waitReady(h);
    await h.page.getByTestId('open-mpr').click();
    await waitMpr(h);
    const notes = await h.page.getByTestId('mpr-notes').innerText();
    expect(notes).toMatch(/tilt/i);
    expect(notes).toMatch(/15\.5/);
    await h.page.screenshot({ path: join(SHOTS, 'mpr-tilted-ct.png') });
    // The sagittal MPR against the engine's own resampled volume, sampled at the same patient points.
    const { loadVolume, filesIn } = await import('../shared/dicom/volume/seriesLoader');
    const { pixelToWorld } = await import('../../src-shared/viewer/viewGeometry');
    const { patientToIndex } = await import('../../src-shared/dicom/volume/volumeSpace');
    const engine = loadVolume(filesIn(dir)).volume;
    // This stack is noise at 0.39 mm: zoom in (ctrl+wheel at the centre) so a screen pixel is a fraction of a voxel.
    const centre = (await cellOf(h, 'sagittal').getByTestId('crosshair-centre').boundingBox())!;
    await h.page.mouse.move(centre.x + centre.width / 2, centre.y + centre.height / 2);
    await h.page.keyboard.down('Control');
    for (let i = 0; i < 24; i++) await h.page.mouse.wheel(0, -100);
    await h.page.keyboard.up('Control');
    await waitMpr(h);
    const grid = { dimensions: engine.dimensions, spacing: engine.spacing, origin: engine.origin, direction: engine.direction };
    const m = await mprMap(h, 'sagittal');
    const grey = await shot(h, 'sagittal', 'mpr-tilted-sagittal');
    const c = Number(await mprView(h, 'sagittal').getAttribute('data-window-center'));
    const w = Number(await mprView(h, 'sagittal').getAttribute('data-window-width'));
    const shown: number[] = [];
    const truth: number[] = [];
    for (let j = 0; j < m.plane.rows; j += 0.5) for (let i = 0; i < m.plane.columns; i += 0.5) {
      const p = pixelToWorld(m.plane, [i, j]);
      // The renderer interpolates linearly: so does the reference (this stack is noise, so any shear or offset shows).
      const value = trilinear(grid, engine.scalars, patientToIndex(grid, p));
      if (value === null) continue;
      const [x, y] = m.toViewport(p);
      if (x < 1 || y < 1 || x > m.box.width - 2 || y > m.box.height - 2) continue;
      shown.push(meanIn(grey, x, y, 0));
      truth.push(Math.min(1, Math.max(0, (value - (c - w / 2)) / w)) * 255);
    }
    expect(shown.length).toBeGreaterThan(100);
    const r = correlation(shown, truth);
    expect(r, `sagittal vs the engine's volume: correlation ${r.toFixed(3)} over ${shown.length} points`).toBeGreaterThan(0.9);
    await h.page.getByTestId('mpr-close').click();
  });

  it('leaves nothing behind after 50 MPR open/close cycles (every tenth with 3D)', { timeout: 900_000 }, async () => {
    await openSeries(h, 'Phantom', 'oblique');
    await waitReady(h);
    await openSeries(h, 'Phantom', 'axial');
    await waitReady(h);
    const cdp = await h.page.context().newCDPSession(h.page);
    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const u = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
      return u.usedSize + (u.backingStorageSize ?? 0);
    };
    const cycle = async (with3d: boolean) => {
      await h.page.getByTestId(with3d ? 'open-3d' : 'open-mpr').click({ timeout: 180_000 });
      await waitMpr(h);
      if (with3d) await h.page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="volume-view"]')?.dataset['ready'] === 'true', undefined, { timeout: 120_000 });
      await h.page.getByTestId('mpr-close').click();
      await waitReady(h);
    };
    await cycle(true);
    const before = await vtkStats(h);
    const heapBefore = await heap();
    for (let i = 0; i < 50; i++) await cycle(i % 10 === 9);
    const after = await vtkStats(h);
    const heapAfter = await heap();
    expect(after).toEqual(before);
    expect(after.contexts).toBe(1);
    expect(Math.abs(heapAfter - heapBefore), `heap ${(heapBefore / 2 ** 20).toFixed(1)} -> ${(heapAfter / 2 ** 20).toFixed(1)} MiB`).toBeLessThan(8 * 2 ** 20);
    await cdp.detach();
  });
});
