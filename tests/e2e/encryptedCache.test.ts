// The encrypted cache through the UI: first run creates it and shows the recovery key once; on a machine
// whose keychain cannot give the key, the cache is locked (not replaced) and the recovery key opens it.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreSession } from '../../src-main/services/app/storeSession';
import { filesUnder } from '../../src-main/services/filesUnder';
import type { KeyStore } from '../../src-main/services/keys/keyStore';
import { REPO, SHARED_DATA, TEST_ORIGIN, startHarness, type Harness } from './harness';

const SHOTS = join(REPO, 'test-results');
mkdirSync(SHOTS, { recursive: true });

/** A keychain that answers like a locked one: nothing to read (getPassword -> null), refuses to store. */
const lockedKeychain: KeyStore = {
  get: async () => null,
  set: async () => { throw new Error('Cannot create an item in a locked collection'); },
  delete: async () => false,
};

describe('encrypted cache in the UI', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'enclave-e2e-store-'));
  let h: Harness | null = null;
  let recoveryKey = '';
  afterAll(async () => {
    await h?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates the cache, shows the recovery key once, and imports into it encrypted', async () => {
    const cache = new StoreSession(dataDir, null); // no keychain on this machine: recovery key only
    expect(await cache.start()).toEqual({ state: 'uninitialized' });
    h = await startHarness({ cache });
    await h.page.goto(`${TEST_ORIGIN}/index.html`);
    await h.page.getByTestId('store-create').click();
    recoveryKey = (await h.page.getByTestId('recovery-key').innerText()).trim();
    await h.page.screenshot({ path: join(SHOTS, 'store-recovery-key.png') });
    expect(recoveryKey.length).toBeGreaterThan(20);
    await h.page.getByTestId('recovery-key-done').click();
    await expect.poll(() => h!.page.getByTestId('store-gate').count()).toBe(0);

    h.setNextFolder(join(SHARED_DATA, 'phantoms/mr-sagittal'));
    await h.page.getByTestId('import-folder').click();
    await expect.poll(() => h!.page.getByTestId('study').count(), { timeout: 60_000 }).toBe(1);
    expect(await h.page.getByTestId('study').innerText()).toContain('64 images');
    await h.page.getByTestId('study').click();
    await h.page.getByTestId('series').click();
    await expect.poll(() => h!.page.getByTestId('viewport').getAttribute('data-ready'), { timeout: 60_000 }).toBe('true');

    // Nothing identifying on disk, and the recovery key is not kept anywhere.
    const disk = filesUnder(dataDir).map((f) => readFileSync(f));
    expect(disk.length).toBeGreaterThan(2);
    for (const token of ['Phantom^Patricia', 'PH-0001', '1.2.826.0.1.3680043.10.1234', recoveryKey]) {
      expect(disk.some((b) => b.includes(Buffer.from(token))), token).toBe(false);
    }
    await h.close();
    await cache.close();
    h = null;
  });

  it('is locked, not replaced, when the keychain gives nothing, and the recovery key opens it', async () => {
    const keyFileBefore = statSync(join(dataDir, 'keys.json')).mtimeMs;
    const cache = new StoreSession(dataDir, lockedKeychain);
    const status = await cache.start();
    expect(status.state).toBe('locked');
    h = await startHarness({ cache });
    await h.page.goto(`${TEST_ORIGIN}/index.html`);
    await expect.poll(() => h!.page.getByTestId('store-gate').innerText()).toContain('locked');
    await h.page.screenshot({ path: join(SHOTS, 'store-locked.png') });
    expect(await h.page.getByTestId('import-folder').isDisabled()).toBe(true);

    await h.page.getByTestId('recovery-key-input').fill('AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG');
    await h.page.getByTestId('store-unlock').click();
    await expect.poll(() => h!.page.getByRole('alert').first().innerText()).not.toBe('');
    expect(await h.page.getByTestId('study').count()).toBe(0);

    await h.page.getByTestId('recovery-key-input').fill(recoveryKey);
    await h.page.getByTestId('store-unlock').click();
    await expect.poll(() => h!.page.getByTestId('study').count(), { timeout: 30_000 }).toBe(1);
    expect(await h.page.getByTestId('study').innerText()).toContain('64 images');
    await h.page.getByTestId('study').click();
    await h.page.getByTestId('series').click();
    await expect.poll(() => h!.page.getByTestId('viewport').getAttribute('data-ready'), { timeout: 60_000 }).toBe('true');
    await h.page.screenshot({ path: join(SHOTS, 'mr-sagittal-unlocked.png') });
    expect(statSync(join(dataDir, 'keys.json')).mtimeMs).toBe(keyFileBefore);
    expect(h.outsideRequests).toEqual([]);
  });
});
