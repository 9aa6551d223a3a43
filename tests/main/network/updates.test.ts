// Updates against a real TUF repository served over HTTPS on loopback (throwaway CA trusted only by the
// gate): a good release is accepted and its artifact verified; each attack in The Update Framework's
// threat model is refused with its own reason and an audit event.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EgressGate } from '../../../src-main/services/network/egress';
import { REFUSAL_TEXT, UpdateRefused } from '../../../src-main/services/network/updates/updateRefusal';
import { UpdateService, type InstallKind } from '../../../src-main/services/network/updates/updateService';
import { POLICY_DEFAULTS, type EffectivePolicy } from '../../../src-main/services/policy/policySchema';
import { auditEventProblem, type AuditEventInput } from '../../../src-shared/audit/auditEvents';
import { generateKeySet, generateSigningKey, makeRoot, makeTimestamp, metadataJson, publish, signMetadata, writeRoot } from '../../../scripts/tufRepository';
import { makeThrowawayCa, serveDirectory, type LoopbackServer, type ThrowawayCa } from './loopbackHttps';
import { artifactBytes, goodRepo, metadataFile, PLATFORM, releaseArtifacts, type TestRepo } from './updateRepo';

const ROOT = mkdtempSync(path.join(tmpdir(), 'enclave-tuf-'));
let ca: ThrowawayCa;
let server: LoopbackServer;
beforeAll(async () => {
  ca = makeThrowawayCa();
  server = await serveDirectory(path.join(ROOT, 'www'), ca);
});
afterAll(() => server.close());

let n = 0;
function repoDir(): { dir: string; name: string } {
  const name = `r${n++}`;
  const dir = path.join(ROOT, 'www', name);
  mkdirSync(dir, { recursive: true });
  return { dir, name };
}

interface Client {
  service: UpdateService;
  events: AuditEventInput[];
  gate: EgressGate;
}

function client(repo: TestRepo, o: { url?: string; version?: string; installKind?: InstallKind; stateDir?: string; maxArtifactBytes?: number } = {}): Client {
  const events: AuditEventInput[] = [];
  const audit = { record: (e: AuditEventInput) => events.push(e) };
  const policy: EffectivePolicy = { ...POLICY_DEFAULTS, UpdatesEnabled: true, UpdatesUrl: o.url ?? `${server.url}/${path.basename(repo.dir)}/` };
  const gate = new EgressGate({ policy: () => policy, audit, ca: [ca.caPem], caOnly: true });
  const service = new UpdateService({
    gate, policy: () => policy, audit, trustedRoot: repo.trustedRoot, stateDir: o.stateDir ?? mkdtempSync(path.join(ROOT, 'state-')),
    currentVersion: o.version ?? '1.0.0', platform: PLATFORM, installKind: o.installKind ?? 'appimage', ...(o.maxArtifactBytes ? { maxArtifactBytes: o.maxArtifactBytes } : {}),
  });
  return { service, events, gate };
}

/** The refusal's reason, after checking it was audited as that reason and the audit event is well-formed. */
async function refusedWith(c: Client, p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => null, (x: unknown) => x);
  if (!(e instanceof UpdateRefused)) throw new Error(`expected a refusal, got ${e === null ? 'success' : String(e)}`);
  expect(e.message).toBe(REFUSAL_TEXT[e.reason]);
  const last = c.events.at(-1)!;
  expect(last).toMatchObject({ kind: 'securityAlert', detail: { updateRefusal: e.reason } });
  for (const ev of c.events) expect(auditEventProblem(ev)).toBeNull();
  return e.reason;
}

function resign(file: string, mutate: (json: { signed: Record<string, unknown>; signatures: unknown[] }) => void): void {
  const json = JSON.parse(readFileSync(file, 'utf8'));
  mutate(json);
  writeFileSync(file, JSON.stringify(json));
}

describe('updates over TUF', () => {
  it('accepts a good release, verifies its artifact, and re-checks it just before install', async () => {
    const { dir } = repoDir();
    const repo = goodRepo(dir, '1.1.0');
    const c = client(repo);
    expect(await c.service.check()).toEqual({ status: 'available', version: '1.1.0', target: `stable/${PLATFORM}/Enclave-1.1.0.AppImage`, length: 4096 });
    const u = await c.service.download();
    expect(readFileSync(u.file)).toEqual(artifactBytes('1.1.0'));
    expect(u.sha256).toBe(createHash('sha256').update(artifactBytes('1.1.0')).digest('hex'));
    const launched: string[] = [];
    await c.service.install(u, async (f) => void launched.push(f));
    expect(launched).toEqual([u.file]);
    expect(c.events.map((e) => [e.kind, e.detail?.['updateStep']])).toEqual([['applicationActivity', 'check'], ['applicationActivity', 'download'], ['applicationActivity', 'install']]);
    // Changed on disk after verification: not installed.
    writeFileSync(u.file, artifactBytes('1.1.0').fill(0, 100, 200));
    expect(await refusedWith(c, c.service.install(u, async (f) => void launched.push(f)))).toBe('artifact_changed');
    expect(launched.length).toBe(1);
    // Up to date: nothing to do.
    expect(await client(repo, { version: '1.1.0' }).service.check()).toEqual({ status: 'current', version: '1.1.0' });
  });

  it('refuses a tampered artifact (same length, other bytes)', async () => {
    const { dir } = repoDir();
    const repo = goodRepo(dir);
    const sha = createHash('sha256').update(artifactBytes('1.1.0')).digest('hex');
    writeFileSync(path.join(dir, 'targets/stable', PLATFORM, `${sha}.Enclave-1.1.0.AppImage`), artifactBytes('6.6.6'));
    const c = client(repo);
    expect(await refusedWith(c, c.service.download())).toBe('target_tampered');
  });

  it('refuses unsigned metadata and metadata signed by the wrong key', async () => {
    const unsigned = goodRepo(repoDir().dir);
    resign(metadataFile(unsigned, 'timestamp.json'), (j) => void (j.signatures = []));
    const c1 = client(unsigned);
    expect(await refusedWith(c1, c1.service.check())).toBe('metadata_unsigned');

    const wrong = goodRepo(repoDir().dir);
    const intruder = generateSigningKey();
    const snap = readFileSync(metadataFile(wrong, '1.snapshot.json'));
    writeFileSync(metadataFile(wrong, 'timestamp.json'), metadataJson(makeTimestamp([{ ...intruder, keyId: wrong.keys.timestamp[0]!.keyId }], 2, 1, snap)));
    const c2 = client(wrong);
    expect(await refusedWith(c2, c2.service.check())).toBe('metadata_bad_signature');
  });

  it('refuses a rollback of metadata, and a release older than the one installed', async () => {
    const { dir } = repoDir();
    const repo = goodRepo(dir, '1.2.0', { targets: 2, snapshot: 2, timestamp: 2 });
    const stateDir = mkdtempSync(path.join(ROOT, 'state-'));
    expect((await client(repo, { stateDir }).service.check()).status).toBe('available');
    // The mirror now serves an older, validly signed repository: this machine has seen version 2.
    publish({ dir, keys: repo.keys, artifacts: releaseArtifacts('1.1.0'), versions: { targets: 1, snapshot: 1, timestamp: 1 } });
    const c = client(repo, { stateDir });
    expect(await refusedWith(c, c.service.check())).toBe('metadata_rollback');

    const older = goodRepo(repoDir().dir, '0.9.0');
    const c2 = client(older, { version: '1.0.0' });
    expect(await refusedWith(c2, c2.service.check())).toBe('older_version');
  });

  it('refuses expired timestamp metadata (freeze)', async () => {
    const { dir } = repoDir();
    const keys = generateKeySet();
    const repo = goodRepo(dir, '1.1.0', undefined, keys);
    publish({ dir, keys, artifacts: releaseArtifacts('1.1.0'), versions: { targets: 1, snapshot: 1, timestamp: 1 }, expires: { timestamp: new Date(Date.now() - 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z') } });
    const c = client(repo);
    expect(await refusedWith(c, c.service.check())).toBe('metadata_expired');
  });

  it('refuses endless data: an artifact longer than signed, endless metadata, an oversized release', async () => {
    const { dir, name } = repoDir();
    const repo = goodRepo(dir);
    const sha = createHash('sha256').update(artifactBytes('1.1.0')).digest('hex');
    server.override(`/${name}/targets/stable/${PLATFORM}/${sha}.Enclave-1.1.0.AppImage`, (_q, res) => {
      res.writeHead(200);
      const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write(Buffer.alloc(65536))), 1);
    });
    const c = client(repo);
    expect(await refusedWith(c, c.service.download())).toBe('endless_data');

    const { dir: dir2, name: name2 } = repoDir();
    const repo2 = goodRepo(dir2);
    server.override(`/${name2}/metadata/timestamp.json`, (_q, res) => void res.writeHead(200).end(Buffer.alloc(1 << 20, 0x20)));
    const c2 = client(repo2);
    expect(await refusedWith(c2, c2.service.check())).toBe('endless_data');

    const c3 = client(goodRepo(repoDir().dir), { maxArtifactBytes: 1000 });
    expect(await refusedWith(c3, c3.service.check())).toBe('endless_data');
  });

  it('refuses mixed-and-matched metadata (a snapshot or targets file from another publication)', async () => {
    const { dir } = repoDir();
    const keys = generateKeySet();
    const repo = goodRepo(dir, '1.1.0', { targets: 2, snapshot: 2, timestamp: 2 }, keys);
    const signedSnapshot2 = readFileSync(metadataFile(repo, '2.snapshot.json'));
    // Another validly signed snapshot v2 (listing targets v1) replaces the one the timestamp names by hash.
    const other = path.join(ROOT, 'other');
    publish({ dir: other, keys, artifacts: releaseArtifacts('1.1.0'), versions: { targets: 1, snapshot: 2, timestamp: 3 } });
    writeFileSync(metadataFile(repo, '2.snapshot.json'), readFileSync(path.join(other, 'metadata/2.snapshot.json')));
    const c = client(repo);
    expect(await refusedWith(c, c.service.check())).toBe('metadata_mix_and_match');

    // Snapshot names targets v2, but 2.targets.json is another publication's targets v1.
    writeFileSync(metadataFile(repo, '2.snapshot.json'), signedSnapshot2);
    writeFileSync(metadataFile(repo, '2.targets.json'), readFileSync(path.join(other, 'metadata/1.targets.json')));
    const c2 = client(repo);
    expect(await refusedWith(c2, c2.service.check())).toBe('metadata_mix_and_match');
  });

  it('refuses an http: repository without connecting, and MSI/deb installs never check', async () => {
    const repo = goodRepo(repoDir().dir);
    const before = server.requests.length;
    const c = client(repo, { url: `${server.url.replace('https:', 'http:')}/${path.basename(repo.dir)}/` });
    expect(await refusedWith(c, c.service.check())).toBe('not_https');
    expect(c.gate.stats().attempts).toBe(0);
    for (const installKind of ['msi', 'deb'] as const) expect(await client(repo, { installKind }).service.check()).toEqual({ status: 'managed' });
    expect(server.requests.length).toBe(before);
  });

  it('follows a root rotation signed by the old root keys, and refuses a root signed by the new keys only', async () => {
    const { dir } = repoDir();
    const oldKeys = generateKeySet();
    const repo = goodRepo(dir, '1.1.0', { targets: 1, snapshot: 1, timestamp: 1 }, oldKeys);
    const newKeys = generateKeySet();
    const root2 = makeRoot(newKeys, 2);
    signMetadata(root2, [...oldKeys.root.slice(0, 2), ...newKeys.root.slice(0, 2)]);
    writeRoot(dir, root2);
    publish({ dir, keys: newKeys, artifacts: releaseArtifacts('1.2.0'), versions: { targets: 2, snapshot: 2, timestamp: 2 } });
    expect(await client(repo).service.check()).toMatchObject({ status: 'available', version: '1.2.0' });

    const { dir: dir2 } = repoDir();
    const repo2 = goodRepo(dir2, '1.1.0', undefined, oldKeys);
    const rogue = makeRoot(newKeys, 2);
    signMetadata(rogue, newKeys.root);
    writeRoot(dir2, rogue);
    publish({ dir: dir2, keys: newKeys, artifacts: releaseArtifacts('1.2.0'), versions: { targets: 2, snapshot: 2, timestamp: 2 } });
    const c = client(repo2);
    expect(await refusedWith(c, c.service.check())).toBe('root_rotation_unsigned');
  });
});
