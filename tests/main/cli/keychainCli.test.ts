// The CLI with a real Secret Service (gnome-keyring in its own dbus-run-session and HOME): `enclave init`
// puts the key in the keychain and later commands need no recovery key; with the keyring locked the
// store refuses with DB_KEY_UNAVAILABLE, changes nothing, and the recovery key file still opens it.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allFiles } from '../store/fixtures/tempStore';
import { PHANTOMS, tempDir } from '../import/fixtures/importFixtures';
import { buildCli, type BuiltCli } from './fixtures/cliBuild';

let cli: BuiltCli;
let root: string;
let env: Record<string, string>;

beforeAll(async () => {
  for (const tool of ['dbus-run-session', 'gnome-keyring-daemon']) {
    expect(spawnSync('sh', ['-c', `command -v ${tool}`]).status, `${tool} is required (apt: dbus-daemon gnome-keyring)`).toBe(0);
  }
  cli = await buildCli();
  root = tempDir('cli-keychain');
  const home = path.join(root, 'home');
  mkdirSync(path.join(home, 'run'), { recursive: true, mode: 0o700 });
  mkdirSync(path.join(root, 'tmp'));
  env = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: home,
    TMPDIR: path.join(root, 'tmp'),
    XDG_RUNTIME_DIR: path.join(home, 'run'),
    XDG_DATA_HOME: path.join(home, 'data'),
    XDG_CONFIG_HOME: path.join(home, 'config'),
    XDG_CACHE_HOME: path.join(home, 'cache'),
    ENCLAVE_DATA_DIR: path.join(root, 'store'),
    LANG: 'C.UTF-8',
  };
});
afterAll(() => {
  cli?.cleanup();
  rmSync(root, { recursive: true, force: true });
});

/** Runs enclave commands in one login session: keyring unlocked with a password, or started locked. */
function session(keyring: 'unlocked' | 'locked', commands: string[][]): { status: number; stdout: string; stderr: string }[] {
  const daemon =
    keyring === 'unlocked'
      ? 'echo -n PASS | gnome-keyring-daemon --unlock --components=secrets >/dev/null'
      : 'gnome-keyring-daemon --start --components=secrets >/dev/null';
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = commands
    .map((args, i) => `${q(process.execPath)} ${q(cli.cli)} ${args.map(q).join(' ')} >${q(path.join(root, `out${i}`))} 2>${q(path.join(root, `err${i}`))}; echo $? >${q(path.join(root, `rc${i}`))}`)
    .join('; ');
  const r = spawnSync('dbus-run-session', ['--', 'sh', '-c', `${daemon}; ${script}`], { env, encoding: 'utf8', timeout: 180_000 });
  expect(r.status, r.stderr).toBe(0);
  return commands.map((_, i) => ({
    status: Number(readFileSync(path.join(root, `rc${i}`), 'utf8').trim()),
    stdout: readFileSync(path.join(root, `out${i}`), 'utf8'),
    stderr: readFileSync(path.join(root, `err${i}`), 'utf8'),
  }));
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of allFiles(dir)) out[path.relative(dir, f)] = createHash('sha256').update(readFileSync(f)).digest('hex');
  return out;
}

describe('enclave CLI with the OS keychain', () => {
  it('init stores the key in the keychain; import and ls then need no recovery key', () => {
    const rk = path.join(root, 'recovery.key');
    const [init, imp, ls] = session('unlocked', [
      ['init', '--recovery-key-out', rk],
      ['import', '--json', path.join(PHANTOMS, 'mr-sagittal')],
      ['ls', '--json'],
    ]);
    expect(init!.status, init!.stderr).toBe(0);
    expect(init!.stdout).not.toContain('not in the keychain');
    expect(imp!.status, imp!.stderr).toBe(0);
    expect((JSON.parse(imp!.stdout) as { added: number }).added).toBe(64);
    expect(ls!.status, ls!.stderr).toBe(0);
    expect((JSON.parse(ls!.stdout) as { instanceCount: number }[])[0]!.instanceCount).toBe(64);
  });

  it('a locked keyring is DB_KEY_UNAVAILABLE with the data intact; the recovery key file opens the store', () => {
    const before = snapshot(path.join(root, 'store'));
    const [locked, recovered] = session('locked', [['ls'], ['ls', '--json', '--recovery-key-file', path.join(root, 'recovery.key')]]);
    expect(locked!.status).toBe(1);
    expect(locked!.stderr).toContain('DB_KEY_UNAVAILABLE');
    expect(recovered!.status, recovered!.stderr).toBe(0);
    expect((JSON.parse(recovered!.stdout) as { instanceCount: number }[])[0]!.instanceCount).toBe(64);
    // The refused open changed nothing; the recovery open only appended to the (encrypted) database.
    const after = snapshot(path.join(root, 'store'));
    expect(after['keys.json']).toBe(before['keys.json']);
    expect(Object.keys(after).filter((k) => k.startsWith('blobs')).sort()).toEqual(Object.keys(before).filter((k) => k.startsWith('blobs')).sort());
  });
});
