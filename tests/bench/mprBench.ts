// MPR and 3D, measured in the browser harness (real Chromium, SwiftShader WebGL on build machines), on the
// 512x512x400 CT imported through the UI into a real encrypted cache. Every timed frame is forced to
// finish with a 1-pixel readPixels (window.__enclaveFinish). One run; `npm run bench -- mpr`.
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { StoreSession } from '../../src-main/services/app/storeSession';
import { startHarness, TEST_ORIGIN, type Harness } from '../e2e/harness';
import type { BenchRow } from './benchTypes';
import { heapBytes, importAndOpen, makeCt, median, p95 } from './viewerBench';

const GROUP = 'mpr';
const MiB = 2 ** 20;
type BenchWindow = { __enclaveFinish?: () => void; __enclaveBareVolume?: { open(): boolean; frame(rotate: boolean): number; close(): void }; __enclaveGpuBytes?: () => number };

const allMprReady = (complete: boolean) => (page: Page, timeout: number) => page.waitForFunction((complete) => {
  const views = [...document.querySelectorAll<HTMLElement>('[data-testid="mpr-view"]')];
  return views.length === 3 && views.every((v) => v.dataset['ready'] === 'true' && (!complete || v.dataset['complete'] === 'true'));
}, complete, { timeout, polling: 10 });

/** Drags the crosshair centre in the axial view by `steps` synthetic pointer moves; ms per move until all three views are drawn and finished. */
async function dragCrosshair(page: Page, steps: number): Promise<number[]> {
  return page.evaluate(async (steps) => {
    const axial = document.querySelector<HTMLElement>('[data-testid="mpr-view"][data-view="axial"]')!;
    const views = [...document.querySelectorAll<HTMLElement>('[data-testid="mpr-view"]')];
    const c = axial.parentElement!.querySelector('[data-testid="crosshair-centre"]')!.getBoundingClientRect();
    let x = c.x + c.width / 2;
    let y = c.y + c.height / 2;
    const opts = (cx: number, cy: number) => ({ bubbles: true, cancelable: true, clientX: cx, clientY: cy, button: 0, buttons: 1, pointerId: 7, isPrimary: true });
    axial.dispatchEvent(new PointerEvent('pointerdown', opts(x, y)));
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      x += i % 40 < 20 ? 2 : -2;
      y += 1 * (i % 20 < 10 ? 1 : -1);
      const t0 = performance.now();
      const drawn = Promise.all(views.map((v) => new Promise<void>((r) => {
        const on = () => { v.removeEventListener('enclave-drawn', on); r(); };
        v.addEventListener('enclave-drawn', on);
      })));
      axial.dispatchEvent(new PointerEvent('pointermove', opts(x, y)));
      await Promise.race([drawn, new Promise((r) => setTimeout(r, 10_000))]);
      (window as unknown as { __enclaveFinish?: () => void }).__enclaveFinish?.();
      times.push(performance.now() - t0);
    }
    axial.dispatchEvent(new PointerEvent('pointerup', opts(x, y)));
    return times;
  }, steps);
}

/**
 * 3D frames, ours and the bare vtk.js render's, alternated one by one so both see the same machine load: at rest (ours:
 * view button A, drawn at full quality) or while rotating (ours: a pointer drag, coarse while dragging).
 */
async function frames3d(page: Page, n: number, rotate: boolean): Promise<{ ours: number[]; bare: number[] }> {
  return page.evaluate(async ({ n, rotate }) => {
    const w = window as unknown as BenchWindow;
    if (!w.__enclaveBareVolume?.open()) throw new Error('the bare volume render could not be set up');
    const view = document.querySelector<HTMLElement>('[data-testid="volume-view"]')!;
    const r = view.getBoundingClientRect();
    const opts = (cx: number, b: number) => ({ bubbles: true, cancelable: true, clientX: cx, clientY: r.y + r.height / 2, button: 0, buttons: b, pointerId: 9, isPrimary: true });
    const ours: number[] = [];
    const bare: number[] = [];
    if (rotate) view.dispatchEvent(new PointerEvent('pointerdown', opts(r.x + r.width / 2, 1)));
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const drawn = new Promise<void>((res) => { const on = () => { view.removeEventListener('enclave-drawn', on); res(); }; view.addEventListener('enclave-drawn', on); });
      if (rotate) view.dispatchEvent(new PointerEvent('pointermove', opts(r.x + r.width / 2 + 4 * (i + 1), 1)));
      else document.querySelector<HTMLElement>('[data-testid="volume-view-A"]')!.click();
      await Promise.race([drawn, new Promise((res) => setTimeout(res, 30_000))]);
      w.__enclaveFinish?.();
      ours.push(performance.now() - t0);
      bare.push(w.__enclaveBareVolume.frame(rotate));
    }
    if (rotate) view.dispatchEvent(new PointerEvent('pointerup', opts(r.x + r.width / 2, 0)));
    w.__enclaveBareVolume.close();
    return { ours, bare };
  }, { n, rotate });
}

function timeRow(name: string, times: number[], extra: Partial<BenchRow> = {}): BenchRow {
  return { group: GROUP, name: `${name} (SwiftShader; median of ${times.length}, p95 ${p95(times).toFixed(0)} ms)`, value: median(times), unit: 'ms', ...extra };
}

export async function runMprBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const push = rows.push.bind(rows);
  rows.push = (...r: BenchRow[]) => { for (const row of r) process.stderr.write(`mpr: ${row.name} = ${row.value} ${row.unit}\n`); return push(...r); };
  const work = await fsp.mkdtemp(path.join(os.tmpdir(), 'enclave-mpr-bench-'));
  const dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'enclave-mpr-bench-store-'));
  const cache = new StoreSession(dataDir, null);
  let h: Harness | null = null;
  const voxelBytes = 512 * 512 * 400 * 2;
  try {
    const ct = await makeCt(work, 512, 400);
    await cache.start();
    await cache.init();
    h = await startHarness({ cache, chromiumArgs: ['--js-flags=--expose-gc'] });
    const page = h.page;
    await page.goto(`${TEST_ORIGIN}/index.html`);
    await importAndOpen(h, ct);
    const heapBefore = await heapBytes(page);
    const rssBefore = process.memoryUsage().rss;

    // Open the series and MPR + 3D at once: the views draw while slices stream (progressive), then complete.
    await page.getByTestId('study').first().click();
    await page.getByTestId('series').first().waitFor();
    const t0 = Date.now();
    await page.getByTestId('series').first().click();
    await page.getByTestId('viewport').first().waitFor();
    await page.getByTestId('open-3d').click({ timeout: 600_000, noWaitAfter: true });
    await allMprReady(false)(page, 600_000);
    const firstMpr = Date.now() - t0;
    const loadedAtFirst = Number(await page.locator('[data-testid="mpr-view"]').first().getAttribute('data-loaded'));
    rows.push({ group: GROUP, name: `open -> first MPR frame (${loadedAtFirst}/400 slices there; includes opening the series)`, value: firstMpr, unit: 'ms' });
    await allMprReady(true)(page, 600_000);
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="volume-view"]')?.dataset['ready'] === 'true', undefined, { timeout: 600_000 });
    await page.evaluate(() => (window as unknown as BenchWindow).__enclaveFinish?.());
    rows.push({ group: GROUP, name: 'open -> volume ready (all 400 slices in the shared texture, MPR and 3D drawn)', value: Date.now() - t0, unit: 'ms' });

    rows.push(timeRow('MPR frame while dragging the crosshair (3 views redrawn)', await dragCrosshair(page, 30)));
    await page.getByTestId('slab-mm').fill('20');
    await page.getByTestId('slab-mip').click();
    rows.push(timeRow('slab MIP 20 mm frame while dragging the crosshair (3 views)', await dragCrosshair(page, 15)));
    await page.getByTestId('slab-mm').fill('0');

    const { ours: rest, bare: bareRest } = await frames3d(page, 7, false);
    const { ours: rotating, bare: bareRotating } = await frames3d(page, 12, true);
    const ratioRest = median(rest) / median(bareRest);
    rows.push(timeRow('3D frame at rest (CT bone, shaded)', rest, { ratio: ratioRest, target: '<= 1.1x bare vtk.js', pass: ratioRest <= 1.1 }));
    rows.push(timeRow('bare vtk.js volume render at rest, same data and context, frames alternated with ours', bareRest));
    // Both at interactive quality while rotating (fewer samples per ray, a quarter of the rays).
    const ratioRot = median(rotating) / median(bareRotating);
    rows.push(timeRow('3D frame while rotating (interactive quality)', rotating, { ratio: ratioRot, target: '<= 1.1x bare vtk.js', pass: ratioRot <= 1.1 }));
    rows.push(timeRow('bare vtk.js volume render while rotating (same interactive quality), alternated with ours', bareRotating));

    const heapOpen = (await heapBytes(page)) - heapBefore;
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    const gpu = await page.evaluate(() => (window as unknown as BenchWindow).__enclaveGpuBytes?.() ?? 0);
    // Main's RSS can fall while the views open (served slices leave its cache): a fall does not pay for the heap.
    const both = heapOpen + Math.max(0, rssGrowth);
    rows.push({ group: GROUP, name: `renderer JS heap growth with MPR + 3D open (${(heapOpen / MiB).toFixed(0)} MiB) + main RSS growth (${(rssGrowth / MiB).toFixed(0)} MiB, counted as ${(Math.max(0, rssGrowth) / MiB).toFixed(0)})`, value: both / MiB, unit: 'MiB', ratio: both / voxelBytes, target: '<= 1.2x stored voxels', pass: both / voxelBytes <= 1.2 });
    rows.push({ group: GROUP, name: 'GPU bytes held by vtk.js (textures, stated separately)', value: gpu / MiB, unit: 'MiB' });

    // 50 open/close cycles of the MPR layout (3D on every tenth): memory must not grow.
    await page.getByTestId('mpr-close').click({ timeout: 600_000 });
    const heapCyclesBefore = await heapBytes(page);
    for (let i = 0; i < 50; i++) {
      await page.getByTestId(i % 10 === 9 ? 'open-3d' : 'open-mpr').click({ timeout: 600_000 });
      await allMprReady(true)(page, 120_000);
      await page.getByTestId('mpr-close').click();
    }
    const cycleGrowth = (await heapBytes(page)) - heapCyclesBefore;
    rows.push({ group: GROUP, name: 'renderer JS heap change over 50 MPR open/close cycles', value: cycleGrowth / MiB, unit: 'MiB', target: 'no growth (< 8 MiB)', pass: cycleGrowth < 8 * MiB });
  } catch (e) {
    // Keep the rows measured so far: a long run that fails late still reports them.
    rows.push({ group: GROUP, name: `failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, value: NaN, unit: '', pass: false });
  } finally {
    await h?.close();
    await cache.close();
    await fsp.rm(dataDir, { recursive: true, force: true });
    await fsp.rm(work, { recursive: true, force: true });
  }
  return rows;
}
