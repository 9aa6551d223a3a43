// The settings screen through the UI: on a default install nothing is allowed to connect and the app has
// made 0 connection attempts; with a machine policy that enables updates (to a loopback repository) the
// settings IT set are shown locked, "Set by your organisation", the update check is counted, and quick
// view, turned off by the same policy, has no button and is refused by main. Keyboard only.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPolicyWiring } from '../../src-main/services/app/policyWiring';
import { createNetworkServices } from '../../src-main/services/network/networkServices';
import { applyPolicy, noPolicy, type LoadedPolicy } from '../../src-main/services/policy/effectivePolicy';
import type { LoopbackServer } from '../main/network/loopbackHttps';
import { serveGoodRepo } from '../main/network/updateRepo';
import { REPO, TEST_ORIGIN, startHarness, type Harness } from './harness';

const SHOTS = join(REPO, 'test-results');
mkdirSync(SHOTS, { recursive: true });
const ROOT = mkdtempSync(join(tmpdir(), 'enclave-e2e-settings-'));

describe('settings screen', () => {
  let h: Harness | null = null;
  let server: LoopbackServer | null = null;
  afterAll(async () => {
    await h?.close();
    await server?.close();
    rmSync(ROOT, { recursive: true, force: true });
  });

  /** The policy wiring as main.ts makes it; the gate also trusts `caPem` (the loopback repository's throwaway CA). */
  function wiringFor(policy: LoadedPolicy, trustedUpdateRoot: Uint8Array, caPem?: string) {
    return createPolicyWiring({
      policy,
      startNetwork: (audit) => createNetworkServices({
        policy, audit, trustedUpdateRoot, updateStateDir: mkdtempSync(join(ROOT, 'updates-')), version: '1.0.0',
        platform: 'linux-x64', installKind: 'appimage', ...(caPem ? { ca: [caPem], caOnly: true } : {}),
      }),
    });
  }

  const lockedKeys = (page: Harness['page']) => page.locator('[data-testid="setting-row"][data-locked="true"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')));

  it('default install: no connection allowed, 0 attempts, nothing locked; opened and closed from the keyboard', async () => {
    const w = wiringFor(noPolicy('/etc/enclave/policy.json'), new Uint8Array());
    expect(w.startUpdates()).toBe(false);
    h = await startHarness({ policy: w.appPolicy });
    const { page } = h;
    await page.goto(`${TEST_ORIGIN}/index.html`);
    await expect.poll(() => page.getByTestId('quick-view').count()).toBe(1);

    await page.getByTestId('settings-open').focus();
    await page.keyboard.press('Enter');
    const panel = page.getByTestId('settings-panel');
    await expect.poll(() => page.getByTestId('settings-attempts').count()).toBe(1);
    expect(await page.getByRole('dialog', { name: 'Settings' }).count()).toBe(1);
    expect(await page.getByTestId('settings-allowed').innerText()).toBe('None: Enclave makes no network connection.');
    expect(await page.getByTestId('settings-attempts').innerText()).toBe('0 connection attempts since start');
    expect(await page.getByTestId('settings-last-check').innerText()).toBe('Updates are off.');
    expect(await page.getByTestId('settings-policy-summary').innerText()).toContain('No policy from your organisation');
    expect(await page.getByTestId('setting-row').count()).toBe(20);
    expect(await lockedKeys(page)).toEqual([]);
    expect(await panel.innerText()).not.toContain('Set by your organisation');
    expect(await page.locator('[data-key="UpdatesEnabled"] .setting-value').innerText()).toBe('Off');
    await page.screenshot({ path: join(SHOTS, 'settings-default.png') });

    // Focus starts in the dialog, Tab stays inside it, Escape closes it and focus goes back to the button.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('settings-close');
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.closest('[data-testid="settings-panel"]') !== null)).toBe(true);
    }
    await page.keyboard.press('Escape');
    expect(await panel.count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('settings-open');
    expect(h.outsideRequests).toEqual([]);
    await h.close();
    h = null;
  });

  it('a policy enabling updates to a loopback repository: locked rows, the check counted, quick view gone', async () => {
    const served = await serveGoodRepo(ROOT);
    server = served.server;
    const policy = applyPolicy({
      UpdatesEnabled: true, UpdatesUrl: `${server.url}/repo/`, UpdatesChannel: 'stable', QuickViewAllowed: false, CacheRetentionDays: 30, IdleLockMinutes: 10,
    }, '/etc/enclave/policy.json');
    const w = wiringFor(policy, served.repo.trustedRoot, served.caPem);
    expect(w.startUpdates()).toBe(true);
    await expect.poll(() => w.network.scheduler.lastCheck?.status, { timeout: 30_000 }).toBe('available');

    h = await startHarness({ policy: w.appPolicy });
    const { page } = h;
    await page.goto(`${TEST_ORIGIN}/index.html`);
    await page.getByTestId('settings-open').click();
    await expect.poll(() => page.getByTestId('settings-attempts').count()).toBe(1);
    expect(await lockedKeys(page)).toEqual(['UpdatesEnabled', 'UpdatesUrl', 'UpdatesChannel', 'IdleLockMinutes', 'CacheRetentionDays', 'QuickViewAllowed']);
    const row = (key: string) => page.locator(`[data-testid="setting-row"][data-key="${key}"]`);
    expect(await row('UpdatesEnabled').innerText()).toMatch(/Updates\s+On\s+Set by your organisation/);
    expect(await row('UpdatesUrl').innerText()).toContain(`${server.url}/repo/`);
    expect(await row('CacheRetentionDays').innerText()).toMatch(/30 days\s+Set by your organisation/);
    expect(await row('QuickViewAllowed').innerText()).toMatch(/Not allowed\s+Set by your organisation/);
    expect(await row('IdleLockMinutes').innerText()).toMatch(/10 minutes\s+Set by your organisation/);
    // Not set by policy: the default, unlocked.
    expect(await row('SessionLifetimeMinutes').innerText()).toMatch(/Longest login\s+12 hours\s*$/);
    expect(await row('SessionLifetimeMinutes').locator('.lock-icon').count()).toBe(0);
    expect(await row('UpdatesEnabled').locator('.lock-icon').count()).toBe(1);
    expect(await page.getByTestId('settings-allowed').innerText()).toBe('Update checks, as your organisation set.');
    const attempts = Number((await page.getByTestId('settings-attempts').innerText()).split(' ')[0]);
    expect(attempts).toBe(w.network.gate.stats().attempts);
    expect(attempts).toBeGreaterThan(0);
    expect(await page.getByTestId('settings-last-check').innerText()).toBe('Version 1.1.0 is available.');
    expect(await page.getByTestId('settings-policy-summary').innerText()).toBe('Your organisation set 6 settings; they are locked.');
    await page.screenshot({ path: join(SHOTS, 'settings-policy-updates.png') });

    // Quick view: no button, and main refuses the channel if the page asks anyway.
    await page.getByTestId('settings-close').click();
    expect(await page.getByTestId('quick-view').count()).toBe(0);
    const refused = await page.evaluate(() => (window as unknown as { enclave: { invoke(c: string, r: object): Promise<unknown> } }).enclave.invoke('quickview:chooseFolder', {}));
    expect(refused).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(h.outsideRequests).toEqual([]);
    w.stop();
  });
});
