// The privacy promise, measured: with the default policy a whole session — start-up (policy, network
// services, update check), import, viewing (series open, pixels over app://) — makes no connection
// attempt. Two independent witnesses: a socket-level hook in this process (net connect, DNS, UDP, fetch)
// with a live loopback update repository, and strace on the session run as its own process (every thread,
// the import and decode workers included). Controls prove both witnesses see an enabled update check.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPolicy, noPolicy } from '../../../src-main/services/policy/effectivePolicy';
import { runSession } from './defaultSession';
import type { LoopbackServer } from './loopbackHttps';
import { installSocketHook } from './socketHook';
import { serveGoodRepo, type TestRepo } from './updateRepo';

const REPO = path.resolve(__dirname, '../../..');
const ROOT = mkdtempSync(path.join(tmpdir(), 'enclave-zero-'));
const hook = installSocketHook();
let server: LoopbackServer;
let repo: TestRepo;
let caPem = '';

beforeAll(async () => {
  ({ server, repo, caPem } = await serveGoodRepo(ROOT));
  hook.reset(); // the server's own listen is not the app's doing
});
afterAll(async () => {
  hook.uninstall();
  await server.close();
});

describe('zero connections by default (socket hook in process)', () => {
  it('a default install (no policy) makes no connection attempt in a whole session', async () => {
    hook.reset();
    const r = await runSession({ policy: noPolicy('test'), trustedRoot: repo.trustedRoot });
    expect(r).toMatchObject({ update: { status: 'off' }, added: 80, pixelStatus: [200, 200, 200], scheduled: false, settingsAttempts: 0 });
    expect(r.status).toMatchObject({ allowedKinds: [], attempts: 0, refused: 0, policyStatus: 'none' });
    expect(hook.counts).toEqual({ connects: [], lookups: [], udp: 0, fetches: [] });
    expect(server.requests).toEqual([]);
  });

  it('a repository named by policy but not enabled is not contacted either', async () => {
    hook.reset();
    const r = await runSession({ policy: applyPolicy({ UpdatesUrl: `${server.url}/repo/` }, 'test'), trustedRoot: repo.trustedRoot });
    expect(r.update).toEqual({ status: 'off' });
    expect(r.status.attempts).toBe(0);
    expect(hook.counts.connects).toEqual([]);
    expect(server.requests).toEqual([]);
  });

  it('(control) once IT enables updates, the hook and the repository see the check', async () => {
    hook.reset();
    const r = await runSession({ policy: applyPolicy({ UpdatesEnabled: true, UpdatesUrl: `${server.url}/repo/` }, 'test'), trustedRoot: repo.trustedRoot, caPem });
    expect(r.update).toMatchObject({ status: 'available', version: '1.1.0' });
    expect(r.scheduled).toBe(true);
    expect(hook.counts.connects.length).toBeGreaterThan(0);
    expect(hook.counts.connects.every((c) => c.startsWith('127.0.0.1:'))).toBe(true);
    expect(server.requests).toContain('/repo/metadata/timestamp.json');
    server.requests.length = 0;
  });
});

describe('zero connections by default (strace, every thread)', () => {
  /** Runs the session as its own process under strace; returns the inet sockets and connects it made. */
  async function traced(args: string[]): Promise<{ inet: string[]; result: { update: { status: string }; added: number; scheduled: boolean; settingsAttempts: number } }> {
    const log = path.join(mkdtempSync(path.join(ROOT, 'strace-')), 'trace.log');
    const root = path.join(ROOT, 'root.json');
    writeFileSync(root, repo.trustedRoot);
    // Asynchronously: the loopback repository answers from this process's event loop.
    const child = spawn('strace', ['-f', '-qq', '-e', 'trace=socket,connect', '-o', log, process.execPath, '--import', 'tsx', path.join(__dirname, 'defaultSession.ts'), '--workers', '--root', root, ...args], { cwd: REPO });
    const r = { stdout: '', stderr: '', status: 0 as number | null };
    child.stdout.on('data', (d: Buffer) => (r.stdout += d));
    child.stderr.on('data', (d: Buffer) => (r.stderr += d));
    r.status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (r.status !== 0) throw new Error(`session failed: ${r.stderr}`);
    const inet = readFileSync(log, 'utf8').split('\n').filter((l) => /AF_INET6?\b|sa_family=AF_INET/.test(l));
    return { inet, result: JSON.parse(r.stdout.trim().split('\n').at(-1)!) };
  }

  it('a default session, with the import and decode workers, opens no inet socket', async () => {
    const { inet, result } = await traced([]);
    expect(result).toMatchObject({ update: { status: 'off' }, added: 80, scheduled: false, settingsAttempts: 0 });
    expect(inet).toEqual([]);
    expect(server.requests).toEqual([]);
  });

  it('(control) strace sees the enabled update check connect', async () => {
    const ca = path.join(ROOT, 'ca.pem');
    writeFileSync(ca, caPem);
    const { inet, result } = await traced(['--updates-url', `${server.url}/repo/`, '--ca', ca]);
    expect(result.update.status).toBe('available');
    expect(inet.some((l) => l.includes('connect(') && l.includes('127.0.0.1'))).toBe(true);
  });
});
