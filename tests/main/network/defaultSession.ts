// What a user does on a fresh install, as one function: start-up as main.ts composes it (machine policy,
// network services and update schedule through policyWiring, the update check), an import, opening the
// series, fetching pixels, the settings screen. The zero-connection tests run it in
// process (under a socket hook) and as its own process under strace (every thread, workers included).
// Run directly: node --import tsx defaultSession.ts [--workers] [--updates-url URL --ca FILE]
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createAppServices } from '../../../src-main/services/app/appServices';
import { createPolicyWiring } from '../../../src-main/services/app/policyWiring';
import { openCache } from '../../../src-main/services/app/storeSession';
import { createNodeCodecs } from '../../../src-main/services/codecs/nodeCodecs';
import { EgressGate } from '../../../src-main/services/network/egress';
import { createNetworkServices, type NetworkStatus } from '../../../src-main/services/network/networkServices';
import { UpdateService, type UpdateCheck } from '../../../src-main/services/network/updates/updateService';
import { applyPolicy, noPolicy, type LoadedPolicy } from '../../../src-main/services/policy/effectivePolicy';
import { MemoryStudyStore } from '../../../src-main/services/store/memoryStudyStore';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const PHANTOMS = path.resolve(REPO, '../shared/data/phantoms');
const sender = { url: 'app://enclave/index.html', isTopFrame: true };

export interface SessionOptions {
  policy: LoadedPolicy;
  trustedRoot: Uint8Array;
  /** Import and decode in worker threads, as the app does. */
  workers?: boolean;
  /** Trust this CA for the update check (tests with a loopback repository). */
  caPem?: string;
}

export async function runSession(o: SessionOptions): Promise<{ update: UpdateCheck; status: NetworkStatus; added: number; pixelStatus: number[]; scheduled: boolean; settingsAttempts: number }> {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'enclave-session-'));
  const wiring = createPolicyWiring({
    policy: o.policy,
    startNetwork: (audit) => createNetworkServices({ policy: o.policy, audit, trustedUpdateRoot: o.trustedRoot, updateStateDir: stateDir, version: '1.0.0', platform: 'linux-x64', installKind: 'appimage' }),
  });
  const network = wiring.network;
  const scheduled = wiring.startUpdates();
  // A test CA is trusted only by a gate made for the test; the app's gate trusts the system's CAs.
  const updates = o.caPem
    ? new UpdateService({ gate: new EgressGate({ policy: () => o.policy.effective, ca: [o.caPem], caOnly: true }), policy: () => o.policy.effective, trustedRoot: o.trustedRoot, stateDir, currentVersion: '1.0.0', platform: 'linux-x64', installKind: 'appimage' })
    : network.updates;
  const update = await updates.check();
  const workers = o.workers ? { importWorkerPath: path.join(REPO, 'src-main/services/workers/importWorker.ts'), decodeWorkerPath: path.join(REPO, 'src-main/services/workers/decodeWorker.ts') } : {};
  const app = createAppServices({
    cache: openCache(new MemoryStudyStore()), storeKind: 'memory', codecs: await createNodeCodecs(),
    dialogs: { chooseFolder: async () => null }, events: { emit: () => undefined }, rendererDir: '/nonexistent', version: '1.0.0', ...workers,
    policy: wiring.appPolicy,
  });
  const imported = (await app.dispatch('import:paths', { paths: [path.join(PHANTOMS, 'ct-axial')] }, sender)) as { ok: boolean; value?: { added: number } };
  const studies = (await app.dispatch('studies:list', {}, sender)) as { ok: true; value: { studyId: string }[] };
  const series = (await app.dispatch('series:list', { studyId: studies.value[0]!.studyId }, sender)) as { ok: true; value: { seriesId: string }[] };
  const seriesId = series.value[0]!.seriesId;
  await app.dispatch('series:open', { seriesId }, sender);
  const pixelStatus: number[] = [];
  for (const k of [0, 40, 79]) pixelStatus.push((await app.appProtocol(new Request(`app://enclave/pixels/${seriesId}/${k}`))).status);
  const settings = (await app.dispatch('settings:status', {}, sender)) as { ok: true; value: { network: { attempts: number } } };
  await app.series.close();
  wiring.stop();
  return { update, status: network.status(), added: imported.value?.added ?? -1, pixelStatus, scheduled, settingsAttempts: settings.value.network.attempts };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { workers: { type: 'boolean' }, 'updates-url': { type: 'string' }, ca: { type: 'string' }, root: { type: 'string' } } });
  const policy = values['updates-url'] ? applyPolicy({ UpdatesEnabled: true, UpdatesUrl: values['updates-url'] }, 'test') : noPolicy('test');
  const result = await runSession({
    policy, trustedRoot: readFileSync(values.root ?? path.join(REPO, 'assets/update/root.json')), workers: values.workers ?? false,
    ...(values.ca ? { caPem: readFileSync(values.ca, 'utf8') } : {}),
  });
  console.log(JSON.stringify(result));
}
