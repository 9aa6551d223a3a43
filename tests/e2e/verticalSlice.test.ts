// Done-when of the foundation: import ct-axial through the UI, open it, see instance 46 at 40/400 the right
// way round (lesion right of centre and above it, spine at the bottom), drag changes contrast, wheel changes slice,
// and nothing leaves the app origin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SHARED_DATA, REPO, TEST_ORIGIN, startHarness, type Harness } from './harness';
import { blob, decodeGrey, meanIn } from './imageAnalysis';

const SHOTS = resolve(REPO, 'test-results');

/** Text overlays would count as image pixels: measure the image alone (overlays hidden via CSSOM, CSP intact). */
async function imageOnly(h: Harness): Promise<Buffer> {
  const setOverlays = (visibility: string) => h.page.evaluate((v) => {
    for (const el of document.querySelectorAll<HTMLElement>('.overlay')) el.style.visibility = v;
  }, visibility);
  await setOverlays('hidden');
  const png = await h.page.getByTestId('viewport').screenshot();
  await setOverlays('visible');
  return png;
}

describe('vertical slice: import, list, open, window/level, scroll', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const viewport = () => h.page.getByTestId('viewport');
  const attr = async (name: string) => (await viewport().getAttribute(name)) ?? '';

  it('imports ct-axial through the dialog and lists the study', async () => {
    const { page } = h;
    await page.goto(`${TEST_ORIGIN}/index.html`);
    h.setNextFolder(join(SHARED_DATA, 'phantoms/ct-axial'));
    await page.getByTestId('import-folder').click();
    await expect.poll(() => page.getByTestId('study').count(), { timeout: 60_000 }).toBe(1);
    const text = await page.getByTestId('study').innerText();
    expect(text).toContain('Phantom, Patricia');
    expect(text).toContain('80 images');
    await expect.poll(() => page.getByRole('status').innerText()).toContain('Imported 80 images');
  });

  it('opens the series and shows instance 46 at 40/400 the right way round', async () => {
    const { page } = h;
    await page.getByTestId('study').click();
    await page.getByTestId('series').click();
    await expect.poll(() => attr('data-ready'), { timeout: 60_000 }).toBe('true');
    const box = (await viewport().boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    // Wheel until instance 46 (slices are ordered by position, so each notch is one 2 mm step).
    for (let i = 0; i < 80 && (await attr('data-instance')) !== '46'; i++) {
      const before = await attr('data-slice');
      const target = Number(await attr('data-instance')) < 46 ? 100 : -100;
      await page.mouse.wheel(0, target);
      await expect.poll(() => attr('data-slice')).not.toBe(before);
    }
    expect(await attr('data-instance')).toBe('46');
    await page.getByTestId('preset-Abdomen').click();
    await expect.poll(() => attr('data-window-width')).toBe('400.0');
    expect(await attr('data-window-center')).toBe('50.0');
    await expect.poll(() => attr('data-ready')).toBe('true');
    await page.waitForTimeout(300);

    mkdirSync(SHOTS, { recursive: true });
    writeFileSync(join(SHOTS, 'ct-axial-im46-w400-l40.png'), await viewport().screenshot());
    const img = decodeGrey(await imageOnly(h));

    // Body (40 HU) sits at the window centre: mid grey. Air and lungs are black.
    const body = blob(img, (v) => v > 60);
    const bodyCx = (body.minX + body.maxX) / 2;
    const bodyCy = (body.minY + body.maxY) / 2;
    const semiX = (body.maxX - body.minX) / 2;
    const semiY = (body.maxY - body.minY) / 2;
    expect(meanIn(img, bodyCx, bodyCy + semiY * 0.3, 3)).toBeGreaterThan(118);
    expect(meanIn(img, bodyCx, bodyCy + semiY * 0.3, 3)).toBeLessThan(138);
    // True aspect ratio: the body is an ellipse 180 mm wide, 140 mm high.
    expect(semiX / semiY).toBeCloseTo(90 / 70, 1);

    // Lesion (200 HU, grey ~230 at 40/400) at x=+20 (patient Left = screen right), y=-20 (anterior = up).
    const lesion = blob(img, (v, _x, y) => v > 200 && v < 248 && y < bodyCy);
    expect(lesion.count).toBeGreaterThan(50);
    expect((lesion.cx - bodyCx) / semiX).toBeCloseTo(20 / 90, 1);
    expect((lesion.cy - bodyCy) / semiY).toBeCloseTo(-20 / 70, 1);
    // Spine (700 HU, white) centred at y=+45: bottom of the screen.
    const spine = blob(img, (v) => v >= 250);
    expect((spine.cx - bodyCx) / semiX).toBeCloseTo(0, 1);
    expect((spine.cy - bodyCy) / semiY).toBeCloseTo(45 / 70, 1);
    // Lungs (-800 HU) are black discs left and right of centre.
    expect(meanIn(img, bodyCx - (40 / 90) * semiX, bodyCy - (10 / 70) * semiY, 3)).toBeLessThan(10);
    expect(meanIn(img, bodyCx + (40 / 90) * semiX, bodyCy - (10 / 70) * semiY, 3)).toBeLessThan(10);

    // Left-drag changes window/level, and what the user sees changes with it.
    const lesionBefore = meanIn(img, lesion.cx, lesion.cy, 3);
    const bodyBefore = meanIn(img, bodyCx, bodyCy + semiY * 0.3, 3);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2 + 60, { steps: 6 });
    await page.mouse.up();
    expect(Number(await attr('data-window-width'))).toBeGreaterThan(400);
    expect(Number(await attr('data-window-center'))).toBeGreaterThan(40);
    await page.waitForTimeout(300);
    writeFileSync(join(SHOTS, 'ct-axial-im46-after-drag.png'), await viewport().screenshot());
    const after = decodeGrey(await imageOnly(h));
    expect(Math.abs(meanIn(after, lesion.cx, lesion.cy, 3) - lesionBefore) + Math.abs(meanIn(after, bodyCx, bodyCy + semiY * 0.3, 3) - bodyBefore)).toBeGreaterThan(15);

    // The wheel changes the slice: at instance 40 (z = -1 mm) the lesion (z 0..20) is gone.
    for (let i = 0; i < 6; i++) {
      const before = await attr('data-slice');
      await page.mouse.wheel(0, -100);
      await expect.poll(() => attr('data-slice')).not.toBe(before);
    }
    expect(await attr('data-instance')).toBe('40');
  });

  it('attempted no request outside the app origin', () => {
    expect(h.requests.length).toBeGreaterThan(3);
    expect(h.requests.some((u) => u.includes('/pixels/'))).toBe(true);
    expect(h.outsideRequests).toEqual([]);
  });
});
