// The PACS panel through the UI against a real Orthanc on loopback (DICOMweb and DIMSE), with the policy wiring and
// network services main.ts composes and the real encrypted cache: no PACS button at all when policy lists no node;
// with a node, a wildcard search from the keyboard finds the phantom study (also over DIMSE), its series listed, a
// retrieve cancelled at once keeps a whole part of it, a second retrieve resumes with progress shown, the study
// appears in the local list, the result is marked as on this computer (and loses the patient's identity when
// identifying text is hidden), and its CT series shows the phantom's pixels.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreSession } from '../../src-main/services/app/storeSession';
import { createPolicyWiring } from '../../src-main/services/app/policyWiring';
import { createNetworkServices } from '../../src-main/services/network/networkServices';
import { applyPolicy, noPolicy, type LoadedPolicy } from '../../src-main/services/policy/effectivePolicy';
import type { EncryptedStudyStore } from '../../src-main/services/store/encryptedStudyStore';
import { startOrthanc, type OrthancServer } from '../main/network/pacs/orthancServer';
import { memoryKeyStore, PHANTOM_STUDY, phantomFiles } from '../main/network/pacs/pacsFixture';
import { REPO, TEST_ORIGIN, startHarness, type Harness } from './harness';
import { blob } from './imageAnalysis';
import { imageOnly, openSeries, setToggle, waitReady } from './viewerDriver';

const SHOTS = join(REPO, 'test-results');
mkdirSync(SHOTS, { recursive: true });
const ROOT = mkdtempSync(join(tmpdir(), 'enclave-e2e-pacs-'));
const FILES = phantomFiles();

/** The policy wiring as main.ts makes it (the gate, the PACS service, a keychain that holds nothing). */
function wiringFor(policy: LoadedPolicy) {
  return createPolicyWiring({
    policy,
    startNetwork: (audit) => createNetworkServices({
      policy, audit, trustedUpdateRoot: new Uint8Array(), updateStateDir: mkdtempSync(join(ROOT, 'updates-')), version: '1.0.0',
      platform: 'linux-x64', installKind: 'appimage', pacsSecrets: memoryKeyStore(),
    }),
  });
}

describe('PACS panel', () => {
  let h: Harness | null = null;
  let orthanc: OrthancServer | null = null;
  let cache: StoreSession | null = null;

  beforeAll(async () => {
    orthanc = await startOrthanc({ modalities: { ENCLAVE: ['ENCLAVE', '127.0.0.1', 11112] } });
    for (const f of FILES) await orthanc.upload(f);
  });
  afterAll(async () => {
    await h?.close();
    await cache?.close();
    await orthanc?.stop();
    rmSync(ROOT, { recursive: true, force: true });
  });

  it('is absent when policy lists no PACS node: no button, and main refuses a search', async () => {
    const w = wiringFor(noPolicy('/etc/enclave/policy.json'));
    h = await startHarness({ policy: w.appPolicy });
    await h.page.goto(`${TEST_ORIGIN}/index.html`);
    // The header says when main has answered pacs:status, so "absent" is not "not yet known".
    await h.page.locator('header.toolbar[data-pacs="off"]').waitFor();
    expect(await h.page.getByTestId('pacs-open').count()).toBe(0);
    expect(await h.page.getByTestId('pacs-panel').count()).toBe(0);
    expect(await h.page.evaluate(() => window.enclave.invoke('pacs:find', { node: 'Archive', query: { limit: 10, offset: 0 } }))).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    await h.page.screenshot({ path: join(SHOTS, 'pacs-no-node.png') });
    expect(w.network.gate.stats().attempts).toBe(0);
    await h.close();
    h = null;
  });

  it('searches by wildcard name, retrieves (cancel, then resume with progress), marks it cached, and shows it in the viewer', async () => {
    const o = orthanc!;
    const node = { name: 'Archive', tls: false, dicomweb: { url: o.dicomwebUrl }, host: '127.0.0.1', port: o.dicomPort, aeTitle: o.aeTitle, callingAeTitle: 'ENCLAVE' };
    const policy = applyPolicy({ PacsNodes: [node] }, '/etc/enclave/policy.json');
    expect(policy.status).not.toBe('malformed');
    const w = wiringFor(policy);
    cache = new StoreSession(join(ROOT, 'store'), null);
    await cache.start();
    await cache.init();
    const store = cache.get() as EncryptedStudyStore;
    const localInstances = () => (store.database.prepare('SELECT count(*) AS n FROM instances').get() as { n: number }).n;
    h = await startHarness({ cache, policy: w.appPolicy });
    const { page } = h;
    await page.goto(`${TEST_ORIGIN}/index.html`);
    await page.locator('header.toolbar[data-pacs="on"]').waitFor();
    await expect.poll(() => page.getByTestId('study-list').innerText()).toContain('No studies yet.');

    // Keyboard: Enter on the button opens the panel with focus in the patient name; Enter searches.
    await page.getByTestId('pacs-open').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('pacs-panel').waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('pacs-patientName');
    expect(await page.getByTestId('pacs-node').innerText()).toBe('Archive (DICOMweb + DIMSE)');
    await page.keyboard.type('phant*');
    await page.keyboard.press('Enter');
    const row = page.getByTestId('pacs-study');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.innerText()).toContain('Phantom, Patricia');
    expect(await row.innerText()).toContain(`2 series · ${FILES.length} images`);
    expect(await row.getAttribute('data-cached')).toBe('false');
    expect(await page.getByTestId('pacs-cached').count()).toBe(0);
    expect(await page.getByTestId('pacs-node-state').getAttribute('data-state')).toBe('ok');
    expect(await page.getByTestId('pacs-next').isDisabled()).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'pacs-search.png') });

    // A name that matches nothing says so; a query main would refuse is named by its field, nothing sent.
    await page.getByTestId('pacs-patientName').fill('Nobody*');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('pacs-count').innerText()).toBe('No study matches.');
    await page.getByTestId('pacs-patientName').fill('A&limit=1000');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('pacs-error').innerText()).toMatch(/^Patient name: /);

    // The same wildcard over DIMSE (C-FIND) finds the same study.
    await page.getByTestId('pacs-protocol').selectOption('dimse');
    // Policy gives this node no C-MOVE listener: C-GET only, so no choice of method is shown.
    expect(await page.getByTestId('pacs-method').count()).toBe(0);
    await page.getByTestId('pacs-patientName').fill('PHANTOM^P*');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('pacs-study').count()).toBe(1);
    expect(await page.getByTestId('pacs-error').count()).toBe(0);
    await page.getByTestId('pacs-protocol').selectOption('dicomweb');
    await page.getByTestId('pacs-patientName').fill('Phant*');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('pacs-study').innerText()).toContain('Phantom, Patricia');

    await page.getByTestId('pacs-series-toggle').click();
    await expect.poll(() => page.getByTestId('pacs-series').count()).toBe(2);
    expect((await page.getByTestId('pacs-series').allInnerTexts()).join('\n')).toMatch(/CT .*80 images[\s\S]*MR .*64 images|MR .*64 images[\s\S]*CT .*80 images/);

    // Every text the progress line shows is recorded (a retrieve is quick on loopback).
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __pacsSeen: string[] }).__pacsSeen = seen;
      new MutationObserver(() => {
        const t = document.querySelector('[data-testid="pacs-progress-text"]')?.textContent;
        if (t && seen.at(-1) !== t) seen.push(t);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });

    // Cancel at once (before main has named the job): the retrieve stops, what was committed is whole.
    await page.getByTestId('pacs-retrieve-study').click();
    await page.getByTestId('pacs-cancel').click();
    await expect.poll(() => page.getByTestId('pacs-outcome').innerText({ timeout: 60_000 }), { timeout: 60_000 }).toMatch(/^Retrieve cancelled/);
    const partial = localInstances();
    expect(partial).toBeLessThan(FILES.length);
    await page.screenshot({ path: join(SHOTS, 'pacs-cancelled.png') });

    // Again: it resumes (what arrived is not fetched twice) with progress, and finishes.
    await page.getByTestId('pacs-retrieve-study').click();
    await page.getByTestId('pacs-progress').waitFor();
    // A picture of the progress itself when the retrieve is slow enough to catch it (loopback is quick).
    await page.waitForFunction(() => /images/.test(document.querySelector('[data-testid="pacs-progress-text"]')?.textContent ?? '') || !!document.querySelector('[data-testid="pacs-outcome"]'));
    await page.screenshot({ path: join(SHOTS, 'pacs-progress.png') });
    await expect.poll(() => page.getByTestId('pacs-outcome').innerText(), { timeout: 60_000 }).toMatch(/^Retrieved: /);
    const outcome = await page.getByTestId('pacs-outcome').innerText();
    expect(localInstances()).toBe(FILES.length);
    const added = Number(/^Retrieved: (\d+) images? added/.exec(outcome)?.[1]);
    expect(added).toBe(FILES.length - partial);
    const seen = await page.evaluate(() => (window as unknown as { __pacsSeen: string[] }).__pacsSeen);
    expect(seen.some((t) => /^Series [12] of 2 · [1-9]\d*( of 144)? images? · \d+\.\d MB$/.test(t)), seen.join(' | ')).toBe(true);
    expect(await page.getByTestId('pacs-progress').count()).toBe(0);

    // The panel's own search again: the study is marked as on this computer; the local list has it.
    await expect.poll(() => page.getByTestId('pacs-cached').count()).toBe(1);
    expect(await page.getByTestId('pacs-study').getAttribute('data-cached')).toBe('true');
    await expect.poll(() => page.getByTestId('study').count()).toBe(1);
    expect(await page.getByTestId('study-list').innerText()).toContain('Phantom, Patricia');
    expect(store.studyIdOf(PHANTOM_STUDY)).not.toBeNull();
    await page.screenshot({ path: join(SHOTS, 'pacs-retrieved.png') });
    // Screen sharing: the panel's results lose the patient's name, ID and birth date like the rest of the app.
    await setToggle(h, 'hide-identifying', true);
    await expect.poll(() => page.getByTestId('pacs-study').innerText()).toContain('Patient (hidden)');
    expect(await page.getByTestId('pacs-panel').innerText()).not.toMatch(/Phantom, Patricia|PH-0001|1970-01-01/);
    await setToggle(h, 'hide-identifying', false);

    // Escape closes the panel (focus back on its button); the retrieved CT opens in the viewer with its pixels.
    await page.getByTestId('pacs-patientName').focus();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('pacs-panel').isHidden()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('pacs-open');
    const seriesId = await openSeries(h, 'Phantom', 'CT');
    await waitReady(h, 0, seriesId);
    await page.screenshot({ path: join(SHOTS, 'pacs-viewer.png') });
    const { grey } = await imageOnly(h);
    // The phantom's body: an ellipse 180 mm wide and 140 mm high, not a black or grey field.
    const body = blob(grey, (v) => v > 60);
    expect(body.count).toBeGreaterThan(2000);
    expect((body.maxX - body.minX) / (body.maxY - body.minY)).toBeCloseTo(90 / 70, 1);
    expect(h.outsideRequests).toEqual([]);
  });
});
