// The machine policy as the app applies it (policyWiring.ts, what main.ts calls): a default install starts
// nothing and connects nowhere in a whole session; a policy that enables updates starts the schedule
// through the egress gate and the settings screen counts it; quick view turned off is refused by the
// dispatcher; the policy's retention wins over ENCLAVE_RETENTION_DAYS and purges at open; a policy change
// is audited once across runs, the digest kept in the encrypted store; network events before the store
// is unlocked reach the audit trail when it opens.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppServices } from '../../../src-main/services/app/appServices';
import { createPolicyWiring, retentionDays, type PolicyWiring } from '../../../src-main/services/app/policyWiring';
import { openCache, StoreSession } from '../../../src-main/services/app/storeSession';
import { createNodeCodecs } from '../../../src-main/services/codecs/nodeCodecs';
import { importPaths } from '../../../src-main/services/import/folderImport';
import { createNetworkServices } from '../../../src-main/services/network/networkServices';
import { applyPolicy, noPolicy, type LoadedPolicy } from '../../../src-main/services/policy/effectivePolicy';
import { parsePolicyJson } from '../../../src-main/services/policy/policyFile';
import type { EncryptedStudyStore } from '../../../src-main/services/store/encryptedStudyStore';
import { MemoryStudyStore } from '../../../src-main/services/store/memoryStudyStore';
import type { SettingsStatus } from '../../../src-shared/ipc/settingsStatus';
import type { LoopbackServer } from '../network/loopbackHttps';
import { installSocketHook } from '../network/socketHook';
import { serveGoodRepo, type TestRepo } from '../network/updateRepo';
import { makeTempStore } from '../store/fixtures/tempStore';

const PHANTOMS = path.resolve(__dirname, '../../../../shared/data/phantoms');
const ROOT = mkdtempSync(path.join(tmpdir(), 'enclave-policy-wiring-'));
const sender = { url: 'app://enclave/index.html', isTopFrame: true };
const DAY = 86_400_000;
const hook = installSocketHook();
let server: LoopbackServer;
let repo: TestRepo;
let caPem = '';

beforeAll(async () => {
  ({ server, repo, caPem } = await serveGoodRepo(ROOT));
  hook.reset();
});
afterAll(async () => {
  hook.uninstall();
  await server.close();
  rmSync(ROOT, { recursive: true, force: true });
});

/** The wiring as main.ts makes it, with network services that trust the loopback repository's CA. */
function wiringFor(policy: LoadedPolicy, retentionEnv?: string): PolicyWiring {
  return createPolicyWiring({
    policy,
    retentionEnv,
    startNetwork: (audit) => createNetworkServices({
      policy, audit, trustedUpdateRoot: repo.trustedRoot, updateStateDir: mkdtempSync(path.join(ROOT, 'updates-')),
      version: '1.0.0', platform: 'linux-x64', installKind: 'appimage', ca: [caPem], caOnly: true,
    }),
  });
}

async function appWith(w: PolicyWiring, dialogCalls: string[] = []) {
  return createAppServices({
    cache: openCache(new MemoryStudyStore()), storeKind: 'memory', codecs: await createNodeCodecs(),
    dialogs: { chooseFolder: async () => { dialogCalls.push('chooseFolder'); return null; } },
    events: { emit: () => undefined }, rendererDir: '/nonexistent', version: '1.0.0', policy: w.appPolicy,
  });
}

async function settingsOf(app: Awaited<ReturnType<typeof appWith>>): Promise<SettingsStatus> {
  const r = await app.dispatch('settings:status', {}, sender);
  if (!r.ok) throw new Error(r.error.message);
  return r.value as SettingsStatus;
}

describe('policy wiring: the network', () => {
  it('a default install starts no schedule and makes no connection attempt in a whole session; the settings say 0', async () => {
    hook.reset();
    const w = wiringFor(noPolicy('/etc/enclave/policy.json'));
    expect(w.startUpdates()).toBe(false);
    const app = await appWith(w);
    expect(await app.dispatch('import:paths', { paths: [path.join(PHANTOMS, 'ct-axial')] }, sender)).toMatchObject({ ok: true, value: { added: 80 } });
    const studies = (await app.dispatch('studies:list', {}, sender)) as { ok: true; value: { studyId: string }[] };
    const series = (await app.dispatch('series:list', { studyId: studies.value[0]!.studyId }, sender)) as { ok: true; value: { seriesId: string }[] };
    await app.dispatch('series:open', { seriesId: series.value[0]!.seriesId }, sender);
    expect((await app.appProtocol(new Request(`app://enclave/pixels/${series.value[0]!.seriesId}/40`))).status).toBe(200);

    const s = await settingsOf(app);
    expect(s.network).toEqual({ allowedKinds: [], attempts: 0, refused: 0, lastRefusals: [] });
    expect(s.updates).toEqual({ enabled: false, channel: 'stable', lastCheck: null });
    expect(s.policy).toMatchObject({ status: 'none', source: '/etc/enclave/policy.json', locked: [], problems: [] });
    expect(s.policy.effective).toMatchObject({ UpdatesEnabled: false, QuickViewAllowed: true, CacheRetentionDays: null, PacsNodes: [] });
    expect(hook.counts).toEqual({ connects: [], lookups: [], udp: 0, fetches: [] });
    expect(server.requests).toEqual([]);
    w.stop();
    await app.series.close();
  });

  it('(control) a policy that enables updates starts the schedule; the check goes through the gate and is counted; the update is installed at quit', async () => {
    hook.reset();
    const policy = applyPolicy({ UpdatesEnabled: true, UpdatesUrl: `${server.url}/repo/`, UpdatesAutoDownload: true, UpdatesAutoInstallOnQuit: true }, 'test');
    const w = wiringFor(policy);
    expect(w.startUpdates()).toBe(true);
    await expect.poll(() => w.network.scheduler.pending?.version, { timeout: 30_000 }).toBe('1.1.0');
    const app = await appWith(w);
    const s = await settingsOf(app);
    expect(s.network.allowedKinds).toEqual(['update']);
    expect(s.network.attempts).toBeGreaterThanOrEqual(4); // timestamp, snapshot, targets, latest.json, the artifact
    expect(s.updates).toMatchObject({ enabled: true, channel: 'stable', lastCheck: { status: 'available', version: '1.1.0' } });
    expect(s.policy.locked).toEqual(['UpdatesEnabled', 'UpdatesUrl', 'UpdatesAutoDownload', 'UpdatesAutoInstallOnQuit']);
    expect(hook.counts.connects.length).toBeGreaterThan(0);
    expect(hook.counts.connects.every((c) => c.startsWith('127.0.0.1:'))).toBe(true);
    expect(server.requests).toContain('/repo/metadata/timestamp.json');

    // What main does at quit: the verified download, checked again, handed to the installer step.
    const update = w.updateToInstall();
    expect(update).toMatchObject({ version: '1.1.0', length: 4096 });
    const launched: string[] = [];
    await w.network.updates.install(update!, async (file) => { launched.push(file); });
    expect(launched).toEqual([update!.file]);
    w.stop();
    server.requests.length = 0;
  });

  it('a refused connection is counted and listed by reason (never by address) in the settings', async () => {
    const w = wiringFor(noPolicy('test'));
    const app = await appWith(w);
    expect(() => w.network.gate.authorize('update', 'https://updates.example.org/enclave/')).toThrow();
    const s = await settingsOf(app);
    expect(s.network).toMatchObject({ attempts: 0, refused: 1, lastRefusals: [{ kind: 'update', reason: 'policy_off' }] });
    expect(JSON.stringify(s)).not.toContain('example.org');
    // The request is empty, and nothing else is accepted.
    expect(await app.dispatch('settings:status', { policy: 'x' }, sender)).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
  });
});

describe('policy wiring: what the app allows', () => {
  it('quick view turned off by policy is refused by the dispatcher before any dialog opens', async () => {
    const calls: string[] = [];
    const off = await appWith(wiringFor(applyPolicy({ QuickViewAllowed: false }, 'test')), calls);
    expect(await off.dispatch('quickview:chooseFolder', {}, sender)).toEqual({ ok: false, error: { code: 'PERMISSION_DENIED', message: 'Quick view is turned off by your organisation.' } });
    await expect(off.handlers['quickview:chooseFolder']({})).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(calls).toEqual([]);
    const s = await settingsOf(off);
    expect(s.policy.locked).toEqual(['QuickViewAllowed']);
    expect(s.policy.effective.QuickViewAllowed).toBe(false);

    // An untrusted policy locks it down too.
    const lockedDown = await appWith(wiringFor(parsePolicyJson('{ not json', 'test')), calls);
    expect(await lockedDown.dispatch('quickview:chooseFolder', {}, sender)).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(calls).toEqual([]);

    // (control) the default allows it: the dialog opens (and is cancelled).
    const on = await appWith(wiringFor(noPolicy('test')), calls);
    expect(await on.dispatch('quickview:chooseFolder', {}, sender)).toEqual({ ok: true, value: null });
    expect(calls).toEqual(['chooseFolder']);
  });

  it('retention: the policy wins over ENCLAVE_RETENTION_DAYS, which applies only when the policy is silent', () => {
    expect(retentionDays(applyPolicy({ CacheRetentionDays: 30 }, 't'), '3650')).toBe(30);
    expect(retentionDays(noPolicy('t'), '90')).toBe(90);
    expect(retentionDays(noPolicy('t'), undefined)).toBeUndefined();
    for (const bad of ['', '0', '-3', 'abc', '1.5']) expect(retentionDays(noPolicy('t'), bad)).toBeUndefined();
  });

  it('retention set by policy purges studies not opened for that long when the cache opens; the settings show it locked', async () => {
    // A cache whose CT was imported 40 days ago.
    const t = await makeTempStore({ now: () => Date.now() - 40 * DAY });
    const old = await t.open();
    expect((await importPaths(old, [path.join(PHANTOMS, 'ct-axial')])).added).toBe(80);
    await old.close();

    // (control) ENCLAVE_RETENTION_DAYS=3650 alone keeps it.
    const keep = wiringFor(noPolicy('test'), '3650');
    const kept = new StoreSession(t.dataDir, null, keep.retentionDays, keep.cacheOpened);
    expect(await kept.start()).toMatchObject({ state: 'locked' });
    await kept.unlockWithRecoveryKey(t.recoveryKey);
    expect(await kept.get().listStudies()).toHaveLength(1);
    await kept.close();

    const w = wiringFor(applyPolicy({ CacheRetentionDays: 30 }, 'test'), '3650');
    const cache = new StoreSession(t.dataDir, null, w.retentionDays, w.cacheOpened);
    await cache.start();
    await cache.unlockWithRecoveryKey(t.recoveryKey);
    const store = cache.get() as EncryptedStudyStore;
    expect(await store.listStudies()).toEqual([]);
    expect(store.audit.list().filter((e) => e.eventId === '110105').map((e) => e.detail['reason'])).toEqual(['retention']);
    const s = await settingsOf(await appWith(w));
    expect(s.policy.locked).toEqual(['CacheRetentionDays']);
    expect(s.policy.effective.CacheRetentionDays).toBe(30);
    await cache.close();
    t.cleanup();
  });
});

describe('policy wiring: the audit trail', () => {
  it('a policy change is audited once across runs (110113 / 110129); an untrusted policy at every start', async () => {
    const t = await makeTempStore();
    /** One run of the app with `policy`: opens the cache, returns the policy events it wrote. */
    const run = async (policy: LoadedPolicy) => {
      const w = wiringFor(policy);
      const cache = new StoreSession(t.dataDir, null, w.retentionDays, w.cacheOpened);
      await cache.start();
      await cache.unlockWithRecoveryKey(t.recoveryKey);
      const store = cache.get() as EncryptedStudyStore;
      const events = store.audit.list().filter((e) => e.eventId === '110113' && e.eventType === '110129');
      const digest = store.settings.get('policy.lastAuditedDigest');
      expect(store.database.prepare("SELECT strict FROM pragma_table_list WHERE name = 'settings'").get()).toEqual({ strict: 1 });
      await cache.close();
      return { events, digest };
    };
    const none = noPolicy('/etc/enclave/policy.json');
    const first = await run(none);
    expect(first.events).toHaveLength(1);
    expect(first.events[0]).toMatchObject({ eventId: '110113', eventType: '110129', action: 'U', outcome: 0, user: 'system', detail: { policyStatus: 'none', previousDigest: 'none', policyDigest: none.digest } });
    expect(first.digest).toBe(none.digest);
    expect((await run(none)).events).toHaveLength(1);

    const applied = applyPolicy({ QuickViewAllowed: false, CacheRetentionDays: 90 }, '/etc/enclave/policy.json');
    const changed = await run(applied);
    expect(changed.events).toHaveLength(2);
    expect(changed.events[1]).toMatchObject({ outcome: 0, detail: { policyStatus: 'applied', previousDigest: none.digest, policyDigest: applied.digest, lockedKeys: 2 } });
    expect((await run(applied)).events).toHaveLength(2);

    const bad = parsePolicyJson('{ "UpdatesEnabled": "yes" }', '/etc/enclave/policy.json');
    expect((await run(bad)).events.slice(2).map((e) => [e.outcome, e.detail['policyStatus']])).toEqual([[8, 'malformed']]);
    expect((await run(bad)).events.slice(2).map((e) => [e.outcome, e.detail['policyStatus']])).toEqual([[8, 'malformed'], [8, 'malformed']]);
    t.cleanup();
  });

  it('network events from before the cache is unlocked are written to the audit trail when it opens', async () => {
    const t = await makeTempStore();
    const w = wiringFor(noPolicy('test'));
    const cache = new StoreSession(t.dataDir, null, w.retentionDays, w.cacheOpened);
    expect(await cache.start()).toMatchObject({ state: 'locked' });
    expect(() => w.network.gate.authorize('update', 'https://updates.example.org/enclave/')).toThrow();
    await cache.unlockWithRecoveryKey(t.recoveryKey);
    const store = cache.get() as EncryptedStudyStore;
    const refusals = () => store.audit.list().filter((e) => e.detail['refusal'] === 'policy_off');
    expect(refusals()).toHaveLength(1);
    expect(refusals()[0]).toMatchObject({ eventId: '110113', outcome: 4, detail: { egressKind: 'update' } });
    expect(refusals()[0]!.detail['heldMs']).toBeGreaterThanOrEqual(0);
    // Once open, events are written as they happen.
    expect(() => w.network.gate.authorize('pacs', 'https://pacs.example.org:11112/')).toThrow();
    expect(refusals()).toHaveLength(2);
    expect(refusals()[1]!.detail['heldMs']).toBeUndefined();
    await cache.close();
    // After the store closes the sink holds again instead of writing to a closed database.
    expect(() => w.network.gate.authorize('update', 'https://updates.example.org/enclave/')).toThrow();
    t.cleanup();
  });
});
