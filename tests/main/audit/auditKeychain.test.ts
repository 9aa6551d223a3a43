// With a real Secret Service (gnome-keyring under its own dbus-run-session and HOME), the audit signing key lives
// in the keychain (audit-key.json holds only the public key), and so does a copy of the latest checkpoint: putting
// back an older copy of the WHOLE data directory, checkpoint file included, is still detected, first entry named.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(__dirname, '../../..');
const root = mkdtempSync(path.join(tmpdir(), 'enclave-auditkc-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('audit trail with the OS keychain', () => {
  it('keeps the signing key and the outside checkpoint in the keychain; a restored whole folder is caught', () => {
    for (const tool of ['dbus-run-session', 'gnome-keyring-daemon']) expect(spawnSync('sh', ['-c', `command -v ${tool}`]).status, `${tool} is required`).toBe(0);
    const home = path.join(root, 'home');
    mkdirSync(path.join(home, 'run'), { recursive: true, mode: 0o700 });
    const env: Record<string, string> = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, XDG_RUNTIME_DIR: path.join(home, 'run'), XDG_DATA_HOME: path.join(home, 'data'), LANG: 'C.UTF-8' };
    const fixture = path.join(__dirname, 'fixtures', 'auditKeychainScenario.ts');
    const node = `${JSON.stringify(process.execPath)} --import tsx ${JSON.stringify(fixture)} ${JSON.stringify(path.join(root, 'data'))}`;
    const r = spawnSync('dbus-run-session', ['--', 'sh', '-c', `echo -n PASS | gnome-keyring-daemon --unlock --components=secrets >/dev/null; ${node}`], { cwd: REPO, env, encoding: 'utf8', timeout: 120_000 });
    const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
    expect(line, `${r.stdout}\n${r.stderr.slice(-2000)}`).toBeDefined();
    const out = JSON.parse(line!) as { where: string; keyFileFields: string[]; firstLost: number; alert: boolean; firstBad: { seq: number; code: string } | null; anchor: { source: string } | null };
    expect(out).toMatchObject({ where: 'keychain', alert: true });
    expect(out.keyFileFields).toEqual(['account', 'format', 'publicKey', 'version', 'where']);
    expect(out.firstBad).toMatchObject({ seq: out.firstLost, code: 'tail_missing' });
    expect(out.anchor?.source).toBe('keychain');
  });
});
