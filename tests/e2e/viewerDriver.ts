// Drives the reading room as a user would (clicks, keys, wheel, drags) and reads what it shows. Screen
// positions of patient points come from the series' geometry and the camera the viewport reports; the
// tests then check with the screenshot's own pixels that the picture really is where the maths says.
import type { Locator } from 'playwright-core';
import type { SeriesView } from '../../src-shared/ipc/contract';
import type { Vec3 } from '../../src-shared/dicom/types';
import { planeOfSlice, worldToScreen, screenToWorld, worldToPixel, type Camera2D, type ImagePlane, type Vec2 } from '../../src-shared/viewer/viewGeometry';
import type { Harness } from './harness';
import { decodeGrey, type Grey } from './imageAnalysis';

export function viewport(h: Harness, index = 0): Locator {
  return h.page.locator(`[data-testid="viewport"][data-index="${index}"]`);
}

export async function attr(h: Harness, name: string, index = 0): Promise<string> {
  return (await viewport(h, index).getAttribute(name)) ?? '';
}

/**
 * Clicks the study whose row contains `studyText`, then its series whose row contains `seriesText` (or the
 * first), and returns the series' id (so a test can wait for that very series, not whatever is shown).
 */
export async function openSeries(h: Harness, studyText: string, seriesText?: string): Promise<string> {
  const study = h.page.getByTestId('study').filter({ hasText: studyText }).first();
  // A study button opens and closes its series list.
  if ((await study.getAttribute('aria-expanded')) !== 'true') await study.click();
  const row = (seriesText ? h.page.getByTestId('series').filter({ hasText: seriesText }) : h.page.getByTestId('series')).first();
  const id = (await row.getAttribute('data-series-id')) ?? '';
  await row.click();
  return id;
}

export async function waitReady(h: Harness, index = 0, seriesId?: string): Promise<void> {
  const vp = viewport(h, index);
  await h.page.waitForFunction(([i, id]) => {
    const el = document.querySelector<HTMLElement>(`[data-testid="viewport"][data-index="${i}"]`);
    return !!el && el.dataset['ready'] === 'true' && (!id || el.dataset['series'] === id);
  }, [index, seriesId ?? ''] as const, { timeout: 120_000 });
  await vp.waitFor();
}

/** The series a viewport shows, as main describes it (the same view the renderer got). */
export async function viewOf(h: Harness, index = 0): Promise<SeriesView> {
  const id = await attr(h, 'data-series', index);
  return h.services.series.openSeries(id);
}

export async function cameraOf(h: Harness, index = 0): Promise<Camera2D> {
  const focal = (await attr(h, 'data-focal', index)).split(',').map(Number) as Vec3;
  return {
    focal,
    mmPerPx: Number(await attr(h, 'data-mm-per-px', index)),
    rotation: Number(await attr(h, 'data-rotation', index)) as 0 | 1 | 2 | 3,
    flipH: (await attr(h, 'data-flip-h', index)) === 'true',
    flipV: (await attr(h, 'data-flip-v', index)) === 'true',
  };
}

export interface ScreenMap {
  plane: ImagePlane;
  camera: Camera2D;
  box: { x: number; y: number; width: number; height: number };
  /** Page coordinates of a patient point. */
  toPage(p: Vec3): Vec2;
  /** Viewport-relative screen coordinates of a patient point. */
  toViewport(p: Vec3): Vec2;
  /** Image pixel (continuous) under a viewport-relative screen point. */
  pixelAt(s: Vec2): Vec2;
}

export async function screenMap(h: Harness, index = 0): Promise<ScreenMap> {
  const view = await viewOf(h, index);
  const slice = Number(await attr(h, 'data-slice', index));
  const plane = planeOfSlice(view, slice);
  const camera = await cameraOf(h, index);
  const box = (await viewport(h, index).boundingBox())!;
  const vp = { width: box.width, height: box.height };
  return {
    plane, camera, box,
    toViewport: (p) => worldToScreen(plane, camera, vp, p),
    toPage: (p) => {
      const [x, y] = worldToScreen(plane, camera, vp, p);
      return [box.x + x, box.y + y];
    },
    pixelAt: (s) => worldToPixel(plane, screenToWorld(plane, camera, vp, s)),
  };
}

/** Moves the active viewport to slice k with the keyboard (Home, then ArrowDown), as a user would. */
export async function goToSlice(h: Harness, k: number, index = 0): Promise<void> {
  await h.page.keyboard.press('Home');
  for (let i = 0; i < k; i++) await h.page.keyboard.press('ArrowDown');
  await h.page.waitForFunction(([i, want]) => document.querySelector<HTMLElement>(`[data-testid="viewport"][data-index="${i}"]`)?.dataset['slice'] === String(want), [index, k] as const);
  await waitReady(h, index);
}

/** The viewport's picture alone (text and graphics overlays hidden via CSSOM; CSP intact). */
export async function imageOnly(h: Harness, index = 0): Promise<{ png: Buffer; grey: Grey }> {
  const set = (v: string) => h.page.evaluate((vis) => { for (const el of document.querySelectorAll<HTMLElement>('.overlay')) el.style.visibility = vis; }, v);
  await set('hidden');
  await waitReady(h, index);
  const png = await viewport(h, index).screenshot();
  await set('visible');
  return { png, grey: decodeGrey(png) };
}

/** Drags with the left button from a to b (page coordinates), in steps so pointer moves are seen. */
export async function drag(h: Harness, a: Vec2, b: Vec2): Promise<void> {
  await h.page.mouse.move(a[0], a[1]);
  await h.page.mouse.down();
  await h.page.mouse.move((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, { steps: 4 });
  await h.page.mouse.move(b[0], b[1], { steps: 4 });
  await h.page.mouse.up();
}

export async function lastAnnotationValue(h: Harness, index = 0): Promise<string> {
  const layer = h.page.locator('.viewport-cell').nth(index).getByTestId('annotation');
  await layer.last().waitFor();
  return (await layer.last().getAttribute('data-value')) ?? '';
}

export async function vtkStats(h: Harness): Promise<{ vtkObjects: number; contexts: number; childViews: number; openVolumes: number }> {
  return h.page.evaluate(() => (window as unknown as { __enclaveStats(): { vtkObjects: number; contexts: number; childViews: number; openVolumes: number } }).__enclaveStats());
}

/** Imports a folder through the "Import folder…" button and waits until the import has finished. */
export async function importFolder(h: Harness, dir: string): Promise<string> {
  h.setNextFolder(dir);
  const ended = h.emitted('studies:changed');
  await h.page.getByTestId('import-folder').click();
  // The status of the previous import reads the same ("Imported 80 images."): wait until main has finished this
  // import (it announces studies:changed at the end of every import), then for the app to show it.
  // (A plain loop: importFolder also runs in beforeAll hooks, where expect.poll is not allowed.)
  for (const until = Date.now() + 120_000; h.emitted('studies:changed') <= ended; await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() > until) throw new Error('the import did not end within 120 s');
  }
  await h.page.waitForFunction(() => {
    const button = document.querySelector('[data-testid="import-folder"]');
    const status = document.querySelector('[role="status"]')?.textContent ?? '';
    return !!button && !button.hasAttribute('disabled') && /Imported|already|skipped|failed/i.test(status);
  }, undefined, { timeout: 120_000 });
  return (await h.page.getByRole('status').first().innerText()).trim();
}

/** Turns a toggle button on (or off) whatever its current state. */
export async function setToggle(h: Harness, testId: string, on: boolean): Promise<void> {
  const button = h.page.getByTestId(testId);
  const isOn = ((await button.getAttribute('class')) ?? '').split(' ').includes('selected');
  if (isOn !== on) await button.click();
}
