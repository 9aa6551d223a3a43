// The privacy promise, measured: with the default policy a whole session — start-up (policy, network
// services, update check), import, viewing (series open, pixels over app://) — makes no connection
// attempt. A socket-level hook in this process (net connect, DNS, UDP, fetch) and a live loopback update
// repository both see nothing; the same hook and repository do see the one allowed check once IT
// enables updates, so the test would notice a connection.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppServices } from '../../../src-main/services/app/appServices';
import { openCache } from '../../../src-main/services/app/storeSession';
import { createNodeCodecs } from '../../../src-main/services/codecs/nodeCodecs';
import { EgressGate } from '../../../src-main/services/network/egress';
import { createNetworkServices } from '../../../src-main/services/network/networkServices';
import { UpdateService } from '../../../src-main/services/network/updates/updateService';
import { applyPolicy, noPolicy, type LoadedPolicy } from '../../../src-main/services/policy/effectivePolicy';
import { MemoryStudyStore } from '../../../src-main/services/store/memoryStudyStore';
import { makeThrowawayCa, serveDirectory, type LoopbackServer } from './loopbackHttps';
import { installSocketHook } from './socketHook';
import { goodRepo, type TestRepo } from './updateRepo';

const PHANTOMS = path.resolve(__dirname, '../../../../shared/data/phantoms');
const ROOT = mkdtempSync(path.join(tmpdir(), 'enclave-zero-'));
const sender = { url: 'app://enclave/index.html', isTopFrame: true };
const hook = installSocketHook();
let server: LoopbackServer;
let repo: TestRepo;
let caPem = '';

beforeAll(async () => {
  const ca = makeThrowawayCa();
  caPem = ca.caPem;
  repo = goodRepo(path.join(ROOT, 'www', 'repo'));
  server = await serveDirectory(path.join(ROOT, 'www'), ca);
  hook.reset(); // the server's own listen is not the app's doing
});
afterAll(async () => {
  hook.uninstall();
  await server.close();
});

/** Start-up, import, viewing: what a user does on a default install. */
async function session(policy: LoadedPolicy) {
  const network = createNetworkServices({
    policy, audit: null, trustedUpdateRoot: repo.trustedRoot, updateStateDir: mkdtempSync(path.join(ROOT, 'state-')),
    version: '1.0.0', platform: 'linux-x64', installKind: 'appimage',
  });
  const update = await network.updates.check();
  const app = createAppServices({
    cache: openCache(new MemoryStudyStore()), storeKind: 'memory', codecs: await createNodeCodecs(),
    dialogs: { chooseFolder: async () => null }, events: { emit: () => undefined }, rendererDir: '/nonexistent', version: '1.0.0',
  });
  const imported = await app.dispatch('import:paths', { paths: [path.join(PHANTOMS, 'ct-axial')] }, sender);
  expect(imported).toMatchObject({ ok: true, value: { added: 80 } });
  const studies = (await app.dispatch('studies:list', {}, sender)) as { ok: true; value: { studyId: string }[] };
  const series = (await app.dispatch('series:list', { studyId: studies.value[0]!.studyId }, sender)) as { ok: true; value: { seriesId: string }[] };
  const seriesId = series.value[0]!.seriesId;
  expect(await app.dispatch('series:open', { seriesId }, sender)).toMatchObject({ ok: true });
  for (const k of [0, 40, 79]) expect((await app.appProtocol(new Request(`app://enclave/pixels/${seriesId}/${k}`))).status).toBe(200);
  app.series.closeAll();
  return { update, status: network.status() };
}

describe('zero connections by default', () => {
  it('a default install (no policy) makes no connection attempt in a whole session', async () => {
    hook.reset();
    const { update, status } = await session(noPolicy('test'));
    expect(update).toEqual({ status: 'off' });
    expect(status).toMatchObject({ allowedKinds: [], attempts: 0, refused: 0, policyStatus: 'none' });
    expect(hook.counts).toEqual({ connects: [], lookups: [], udp: 0, fetches: [] });
    expect(server.requests).toEqual([]);
  });

  it('a repository named by policy but not enabled is not contacted either', async () => {
    hook.reset();
    const { update, status } = await session(applyPolicy({ UpdatesUrl: `${server.url}/repo/` }, 'test'));
    expect(update).toEqual({ status: 'off' });
    expect(status.attempts).toBe(0);
    expect(hook.counts.connects).toEqual([]);
    expect(server.requests).toEqual([]);
  });

  it('(control) once IT enables updates, the hook and the repository see the check', async () => {
    hook.reset();
    const policy = applyPolicy({ UpdatesEnabled: true, UpdatesUrl: `${server.url}/repo/` }, 'test');
    const gate = new EgressGate({ policy: () => policy.effective, ca: [caPem], caOnly: true });
    const updates = new UpdateService({ gate, policy: () => policy.effective, trustedRoot: repo.trustedRoot, stateDir: mkdtempSync(path.join(ROOT, 'state-')), currentVersion: '1.0.0', platform: 'linux-x64', installKind: 'appimage' });
    expect(await updates.check()).toMatchObject({ status: 'available', version: '1.1.0' });
    expect(hook.counts.connects.length).toBeGreaterThan(0);
    expect(hook.counts.connects.every((c) => c.startsWith('127.0.0.1:'))).toBe(true);
    expect(server.requests).toContain('/repo/metadata/timestamp.json');
    expect(gate.stats().attempts).toBe(server.requests.length);
  });
});
