// `enclave pacs` from its bundle, as IT runs it against a real Orthanc on loopback: disabled without a node in
// policy (and nothing connects), echo over DICOMweb and DIMSE, find and retrieve into the encrypted store, the
// query and the retrieve audited in the store's trail.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../import/fixtures/importFixtures';
import { freePort, startOrthanc, type OrthancServer } from '../network/pacs/orthancServer';
import { JPEG_2000, JPEG_LS, NM_STUDY } from '../network/pacs/pacsFixture';
import { buildCli, isolatedEnv, type BuiltCli } from './fixtures/cliBuild';

let cli: BuiltCli;
let orthanc: OrthancServer;
let root: string;
let env: Record<string, string>;
let policy: string;
let empty: string;
let rk: string;
let movePolicy: string;
let movePort: number;

beforeAll(async () => {
  movePort = await freePort();
  [cli, orthanc] = await Promise.all([buildCli(), startOrthanc({ modalities: { ENCLAVE: ['ENCLAVE', '127.0.0.1', movePort] } })]);
  for (const f of [JPEG_LS, JPEG_2000]) await orthanc.upload(f);
  root = tempDir('pacs-cli');
  for (const d of ['home', 'tmp']) mkdirSync(path.join(root, d));
  env = isolatedEnv(path.join(root, 'home'), path.join(root, 'tmp'), { ENCLAVE_DATA_DIR: path.join(root, 'data') });
  rk = path.join(root, 'recovery.key');
  policy = path.join(root, 'policy.json');
  writeFileSync(policy, JSON.stringify({ PacsNodes: [{ name: 'Test', aeTitle: orthanc.aeTitle, callingAeTitle: 'ENCLAVE', host: '127.0.0.1', port: orthanc.dicomPort, tls: false, dicomweb: { url: orthanc.dicomwebUrl } }] }), { mode: 0o644 });
  movePolicy = path.join(root, 'move-policy.json');
  const moveNode = { name: 'Move', aeTitle: orthanc.aeTitle, callingAeTitle: 'ENCLAVE', host: '127.0.0.1', port: orthanc.dicomPort, tls: false, moveListener: { aeTitle: 'ENCLAVE', port: movePort } };
  writeFileSync(movePolicy, JSON.stringify({ PacsNodes: [moveNode] }), { mode: 0o644 });
  empty = path.join(root, 'empty.json');
  writeFileSync(empty, '{}', { mode: 0o644 });
}, 120_000);
afterAll(async () => {
  cli?.cleanup();
  await orthanc?.stop();
  rmSync(root, { recursive: true, force: true });
});

function ok(args: string[]): string {
  const r = cli.run(args, env);
  expect(r.status, `enclave ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

describe('enclave pacs', () => {
  it('says PACS is disabled when policy lists no node, with the machine policy or an empty file', () => {
    for (const args of [['pacs', 'echo', '--node', 'Test'], ['pacs', 'echo', '--node', 'Test', '--policy-file', empty], ['pacs', 'nodes', '--policy-file', empty]]) {
      const r = cli.run(args, env);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/PACS is disabled: the policy \(.*\) lists no PACS node/);
    }
  });

  it('echoes over DICOMweb and DIMSE, and lists the nodes', () => {
    expect(ok(['pacs', 'echo', '--node', 'Test', '--policy-file', policy])).toMatch(/^Test: answered over dicomweb in \d+ ms\.$/m);
    expect(ok(['pacs', 'echo', '--node', 'Test', '--protocol', 'dimse', '--policy-file', policy])).toMatch(/answered over dimse/);
    expect(ok(['pacs', 'nodes', '--policy-file', policy])).toContain(`Test: DICOMweb ${orthanc.dicomwebUrl}, DIMSE ORTHANC@127.0.0.1:${orthanc.dicomPort}`);
    const r = cli.run(['pacs', 'echo', '--node', 'Elsewhere', '--policy-file', policy], env);
    expect(r.stderr).toContain('No PACS node named "Elsewhere"');
  });

  it('finds and retrieves into the encrypted store; the trail holds the Query, the transfer and the import', () => {
    ok(['init', '--no-keychain', '--recovery-key-out', rk]);
    const found = JSON.parse(ok(['pacs', 'find', '--node', 'Test', '--policy-file', policy, '--name', 'Compressed*', '--json', '--recovery-key-file', rk])) as { studyInstanceUid: string }[];
    expect(found.map((s) => s.studyInstanceUid)).toEqual([NM_STUDY]);
    const viaDimse = JSON.parse(ok(['pacs', 'find', '--node', 'Test', '--protocol', 'dimse', '--policy-file', policy, '--from', '20040101', '--to', '20041231', '--json', '--recovery-key-file', rk])) as { studyInstanceUid: string }[];
    expect(viaDimse.map((s) => s.studyInstanceUid)).toEqual([NM_STUDY]);
    const r = JSON.parse(ok(['pacs', 'retrieve', '--node', 'Test', '--policy-file', policy, '--study', NM_STUDY, '--json', '--recovery-key-file', rk])) as { added: number };
    expect(r.added).toBe(2);
    const ls = JSON.parse(ok(['ls', '--json', '--recovery-key-file', rk])) as { instanceCount: number }[];
    expect(ls.map((s) => s.instanceCount)).toEqual([2]);
    const trail = ok(['audit', 'export', '--format', 'jsonl', '--recovery-key-file', rk]);
    const ids = trail.trim().split('\n').map((l) => (JSON.parse(l) as { eventId: string }).eventId);
    expect(ids.filter((x) => x === '110112').length).toBe(3); // two studies searches, the retrieve's series search
    expect(ids).toContain('110104');
    expect(ids).toContain('110107');
  });

  it('retrieves with --move only when the node has a moveListener in policy, into a store of its own', () => {
    const refused = cli.run(['pacs', 'retrieve', '--node', 'Test', '--policy-file', policy, '--study', NM_STUDY, '--move', '--recovery-key-file', rk], env);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('C-MOVE needs an inbound listener, which policy does not allow');
    const env2 = { ...env, ENCLAVE_DATA_DIR: path.join(root, 'data-move') };
    const rk2 = path.join(root, 'recovery-move.key');
    expect(cli.run(['init', '--no-keychain', '--recovery-key-out', rk2], env2).status).toBe(0);
    expect(ok(['pacs', 'nodes', '--policy-file', movePolicy])).toContain(`C-MOVE to ENCLAVE@127.0.0.1:${movePort}`);
    const moved = cli.run(['pacs', 'retrieve', '--node', 'Move', '--policy-file', movePolicy, '--study', NM_STUDY, '--move', '--json', '--recovery-key-file', rk2], env2);
    expect(moved.status, moved.stderr).toBe(0);
    expect((JSON.parse(moved.stdout) as { added: number }).added).toBe(2);
    const trail = cli.run(['audit', 'export', '--format', 'jsonl', '--recovery-key-file', rk2], env2).stdout;
    const ids = trail.trim().split('\n').map((l) => (JSON.parse(l) as { eventId: string }).eventId);
    expect(ids.filter((x) => x === '110100').length).toBeGreaterThanOrEqual(2); // the listener opened and closed
    expect(ids).toContain('110104');
  });
});
