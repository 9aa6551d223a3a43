// Quick view through the UI: a physician opens a patient's exported CD (DICOMDIR at the root) on a
// machine whose study cache was never set up, looks at it, closes it, and nothing of it stays on disk.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreSession } from '../../src-main/services/app/storeSession';
import { filesUnder } from '../../src-main/services/filesUnder';
import { REPO, SHARED_DATA, TEST_ORIGIN, startHarness, type Harness } from './harness';
import { blob, decodeGrey } from './imageAnalysis';

const SHOTS = join(REPO, 'test-results');
mkdirSync(SHOTS, { recursive: true });

describe('quick view in the UI', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'enclave-e2e-quickview-'));
  let h: Harness | null = null;
  afterAll(async () => {
    await h?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('opens an exported CD without a cache, shows it, and closes it leaving nothing on disk', async () => {
    const cache = new StoreSession(dataDir, null);
    expect(await cache.start()).toEqual({ state: 'uninitialized' });
    h = await startHarness({ cache });
    const { page } = h;
    await page.goto(`${TEST_ORIGIN}/index.html`);
    // No cache yet: importing is impossible, quick view is not.
    await expect.poll(() => page.getByTestId('store-gate').count()).toBe(1);
    expect(await page.getByTestId('import-folder').isDisabled()).toBe(true);

    h.setNextFolder(join(SHARED_DATA, 'phantoms/patient-cd'));
    await page.getByTestId('quick-view').click();
    await expect.poll(() => page.getByTestId('study').count(), { timeout: 60_000 }).toBe(1);
    const study = await page.getByTestId('study').innerText();
    expect(study).toContain('Phantom, Patricia');
    expect(study).toContain('144 images');
    expect(study).toContain('not saved');
    // The CD's DICOMDIR is its index, not a skipped file.
    await expect.poll(() => page.getByRole('status').innerText()).toBe('Opened (not saved) 144 images.');
    // The set-up panel would cover the image: put it aside, and it stays one click away.
    await page.getByTestId('store-gate-dismiss').click();
    expect(await page.getByTestId('store-gate').count()).toBe(0);

    await page.getByTestId('study').click();
    await expect.poll(() => page.getByTestId('series').count()).toBe(2);
    const ct = page.getByTestId('series').filter({ hasText: 'CT' });
    await ct.click();
    await expect.poll(() => page.getByTestId('viewport').getAttribute('data-ready'), { timeout: 60_000 }).toBe('true');
    await page.waitForTimeout(300);
    const png = await page.getByTestId('viewport').screenshot();
    await page.screenshot({ path: join(SHOTS, 'quick-view-patient-cd.png') });
    // The phantom's body is on screen: a large bright region, not a blank viewport.
    const body = blob(decodeGrey(png), (v) => v > 60);
    expect(body.count).toBeGreaterThan(5000);

    await page.getByTestId('store-gate-reopen').click();
    await expect.poll(() => page.getByTestId('store-gate').innerText()).toContain('Set up the encrypted study cache');

    await page.getByTestId('quick-view-close').click();
    await expect.poll(() => page.getByTestId('study').count()).toBe(0);
    // The viewer lets go of the closed study: no viewport shows it any more.
    await expect.poll(() => page.getByTestId('viewport').getAttribute('data-series')).toBe('');

    // Nothing of the CD reached the data folder (it holds no store at all), and nothing left the app.
    for (const token of ['Phantom^Patricia', 'PH-0001']) {
      expect(filesUnder(dataDir).map((f) => readFileSync(f)).some((b) => b.includes(Buffer.from(token))), token).toBe(false);
    }
    expect(h.outsideRequests).toEqual([]);
    await cache.close();
  });
});
