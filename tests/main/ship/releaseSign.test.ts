// `npm run release:sign` end to end, as a release engineer runs it: keys made, a root signed, releases
// published with keys from files and from the environment, the timestamp refreshed, the root rotated;
// the update client (over loopback HTTPS) follows all of it. And the shipped trust root is sound.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Metadata, MetadataKind } from '@tufjs/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EgressGate } from '../../../src-main/services/network/egress';
import { UpdateService } from '../../../src-main/services/network/updates/updateService';
import { applyPolicy } from '../../../src-main/services/policy/effectivePolicy';
import { makeThrowawayCa, serveDirectory, type LoopbackServer } from '../network/loopbackHttps';

const REPO_ROOT = path.resolve(__dirname, '../../..');
const T = mkdtempSync(path.join(tmpdir(), 'enclave-release-'));
let server: LoopbackServer;
let caPem = '';

function releaseSign(args: string[], env: Record<string, string> = {}): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'scripts/releaseSign.ts'), ...args], { encoding: 'utf8', cwd: REPO_ROOT, env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`release:sign ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

beforeAll(async () => {
  const ca = makeThrowawayCa();
  caPem = ca.caPem;
  server = await serveDirectory(path.join(T, 'www'), ca);
});
afterAll(() => server.close());

function client(trustedRoot: Buffer, version: string) {
  const policy = applyPolicy({ UpdatesEnabled: true, UpdatesUrl: `${server.url}/repo/` }, 'test').effective;
  const gate = new EgressGate({ policy: () => policy, ca: [caPem], caOnly: true });
  return new UpdateService({ gate, policy: () => policy, trustedRoot, stateDir: mkdtempSync(path.join(T, 'state-')), currentVersion: version, platform: 'linux-x64', installKind: 'appimage' });
}

describe('npm run release:sign', () => {
  it('signs a repository the client trusts, across releases, a fresh timestamp and a root rotation', async () => {
    const repo = path.join(T, 'www', 'repo');
    const keys = path.join(T, 'keys');
    const shipped = path.join(T, 'root.json');
    releaseSign(['keygen', '--out', keys]);
    releaseSign(['root', '--keys', keys, '--repo', repo, '--out', shipped]);
    const artifact1 = path.join(T, 'Enclave-1.1.0.AppImage');
    writeFileSync(artifact1, Buffer.from('release 1.1.0'));
    releaseSign(['publish', '--repo', repo, '--channel', 'stable', '--platform', 'linux-x64', '--version', '1.1.0', '--artifact', artifact1, '--keys', keys]);
    const trustedRoot = readFileSync(shipped);
    const u1 = await client(trustedRoot, '1.0.0').download();
    expect(readFileSync(u1.file, 'utf8')).toBe('release 1.1.0');

    // Online keys from the environment (a CI secret), no key folder.
    const env = Object.fromEntries(['targets', 'snapshot', 'timestamp'].map((r) => [`ENCLAVE_TUF_${r.toUpperCase()}_KEY`, readFileSync(path.join(keys, `${r}.pem`), 'utf8')]));
    const artifact2 = path.join(T, 'Enclave-1.2.0.AppImage');
    writeFileSync(artifact2, Buffer.from('release 1.2.0'));
    releaseSign(['publish', '--repo', repo, '--platform', 'linux-x64', '--version', '1.2.0', '--artifact', artifact2], env);
    releaseSign(['timestamp', '--repo', repo], env);
    expect(await client(trustedRoot, '1.1.0').check()).toMatchObject({ status: 'available', version: '1.2.0' });
    const ts = JSON.parse(readFileSync(path.join(repo, 'metadata/timestamp.json'), 'utf8'));
    expect(ts.signed.version).toBe(3);

    // Root rotation: new keys, root v2 signed by the old root keys and the new ones.
    const newKeys = path.join(T, 'keys2');
    releaseSign(['keygen', '--out', newKeys]);
    releaseSign(['root', '--keys', newKeys, '--sign-with', keys, '--repo', repo]);
    const artifact3 = path.join(T, 'Enclave-1.3.0.AppImage');
    writeFileSync(artifact3, Buffer.from('release 1.3.0'));
    releaseSign(['publish', '--repo', repo, '--platform', 'linux-x64', '--version', '1.3.0', '--artifact', artifact3, '--keys', newKeys]);
    expect(await client(trustedRoot, '1.2.0').check()).toMatchObject({ status: 'available', version: '1.3.0' });

    // Without keys it says which key is missing.
    expect(() => releaseSign(['publish', '--repo', repo, '--platform', 'linux-x64', '--version', '1.4.0', '--artifact', artifact3])).toThrow(/No targets key/);
  });

  it('ships a trust root in assets/: root keys offline, any 2 of 3 sign, consistent snapshots, signed by its own threshold', () => {
    const json = JSON.parse(readFileSync(path.join(REPO_ROOT, 'assets/update/root.json'), 'utf8'));
    const root = Metadata.fromJSON(MetadataKind.Root, json);
    expect(root.signed.version).toBe(1);
    expect(root.signed.roles['root']!.keyIDs.length).toBe(3);
    expect(root.signed.roles['root']!.threshold).toBeGreaterThanOrEqual(2);
    expect(root.signed.consistentSnapshot).toBe(true);
    for (const role of ['targets', 'snapshot', 'timestamp']) {
      // Online keys are not root keys: a stolen release key cannot sign a new root.
      for (const id of root.signed.roles[role]!.keyIDs) expect(root.signed.roles['root']!.keyIDs).not.toContain(id);
    }
    expect(() => root.verifyDelegate('root', root)).not.toThrow();
  });
});
