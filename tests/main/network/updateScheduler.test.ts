// Policy decides when updates happen: nothing when off (no timer, no request), a check only by default
// when on, a download only with UpdatesAutoDownload, an install at quit only with UpdatesAutoInstallOnQuit.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EgressGate } from '../../../src-main/services/network/egress';
import { UpdateScheduler } from '../../../src-main/services/network/updates/updateScheduler';
import { UpdateService } from '../../../src-main/services/network/updates/updateService';
import { POLICY_DEFAULTS, type EffectivePolicy } from '../../../src-main/services/policy/policySchema';
import type { LoopbackServer } from './loopbackHttps';
import { serveGoodRepo, type TestRepo } from './updateRepo';

const ROOT = mkdtempSync(path.join(tmpdir(), 'enclave-sched-'));
let server: LoopbackServer;
let repo: TestRepo;
let caPem = '';
beforeAll(async () => {
  ({ server, repo, caPem } = await serveGoodRepo(ROOT));
});
afterAll(() => server.close());

function scheduler(p: Partial<EffectivePolicy>) {
  const policy: EffectivePolicy = { ...POLICY_DEFAULTS, UpdatesUrl: `${server.url}/repo/`, ...p };
  const gate = new EgressGate({ policy: () => policy, ca: [caPem], caOnly: true });
  const updates = new UpdateService({ gate, policy: () => policy, trustedRoot: repo.trustedRoot, stateDir: mkdtempSync(path.join(ROOT, 'state-')), currentVersion: '1.0.0', platform: 'linux-x64', installKind: 'appimage' });
  return { s: new UpdateScheduler(updates, () => policy), gate };
}

describe('update schedule', () => {
  it('does nothing at all when updates are off', async () => {
    const { s, gate } = scheduler({});
    s.start();
    expect(s.lastCheck).toBeNull();
    expect(gate.stats()).toEqual({ attempts: 0, refused: 0 });
    s.stop();
  });

  it('only checks when on, downloads only with UpdatesAutoDownload, installs at quit only with UpdatesAutoInstallOnQuit', async () => {
    const checkOnly = scheduler({ UpdatesEnabled: true });
    expect(await checkOnly.s.tick()).toMatchObject({ status: 'available', version: '1.1.0' });
    expect(checkOnly.s.pending).toBeNull();
    expect(server.requests.some((r) => r.endsWith('.AppImage'))).toBe(false);

    const download = scheduler({ UpdatesEnabled: true, UpdatesAutoDownload: true });
    await download.s.tick();
    expect(download.s.pending).toMatchObject({ version: '1.1.0', length: 4096 });
    expect(download.s.installOnQuit()).toBeNull();

    const install = scheduler({ UpdatesEnabled: true, UpdatesAutoDownload: true, UpdatesAutoInstallOnQuit: true });
    await install.s.tick();
    expect(install.s.installOnQuit()).toMatchObject({ version: '1.1.0' });
  });
});
