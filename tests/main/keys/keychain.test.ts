// The store against a REAL Secret Service: gnome-keyring under its own dbus-run-session and HOME
// per scenario (never the developer's keyring), reached through keytar exactly as the app does.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allFiles } from '../store/fixtures/tempStore';

const REPO = path.resolve(__dirname, '../../..');
const FIXTURE = path.join(__dirname, 'fixtures', 'keychainScenario.ts');
let root: string;

interface StepResult {
  op: string;
  ok: boolean;
  code?: string;
  message?: string;
  [k: string]: unknown;
}

beforeAll(() => {
  // Fail loudly, not skip, when the Secret Service tooling is missing (CI must install it).
  for (const tool of ['dbus-run-session', 'gnome-keyring-daemon', 'gdbus']) {
    expect(spawnSync('sh', ['-c', `command -v ${tool}`]).status, `${tool} is required (apt: dbus-daemon gnome-keyring libglib2.0-bin)`).toBe(0);
  }
  root = mkdtempSync(path.join(tmpdir(), 'enclave-keychain-'));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function home(name: string): Record<string, string> {
  const h = path.join(root, name);
  const run = path.join(h, 'run');
  mkdirSync(run, { recursive: true, mode: 0o700 });
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !['DBUS_SESSION_BUS_ADDRESS', 'DISPLAY', 'WAYLAND_DISPLAY', 'GNOME_KEYRING_CONTROL'].includes(k)) env[k] = v;
  }
  return {
    ...env,
    HOME: h,
    XDG_RUNTIME_DIR: run,
    XDG_DATA_HOME: path.join(h, 'data'),
    XDG_CONFIG_HOME: path.join(h, 'config'),
    XDG_CACHE_HOME: path.join(h, 'cache'),
  };
}

type Keyring = 'unlocked' | 'locked' | 'none';

/** One login session: a fresh D-Bus with gnome-keyring (unlocked with a password, or started locked), or no D-Bus at all. */
function session(env: Record<string, string>, keyring: Keyring, steps: object[]): StepResult[] {
  const node = `${JSON.stringify(process.execPath)} --import tsx ${JSON.stringify(FIXTURE)} ${shellQuote(JSON.stringify(steps))}`;
  const daemon =
    keyring === 'unlocked'
      ? 'echo -n PASS | gnome-keyring-daemon --unlock --components=secrets >/dev/null'
      : 'gnome-keyring-daemon --start --components=secrets >/dev/null';
  const r =
    keyring === 'none'
      ? spawnSync('sh', ['-c', node], { cwd: REPO, env, encoding: 'utf8', timeout: 120_000 })
      : spawnSync('dbus-run-session', ['--', 'sh', '-c', `${daemon}; ${node}`], { cwd: REPO, env, encoding: 'utf8', timeout: 120_000 });
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('{'));
  const results = lines.map((l) => JSON.parse(l) as StepResult);
  expect(results.length, `child output:\n${r.stdout}\n${r.stderr.slice(-3000)}`).toBe(steps.length);
  return results;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of allFiles(dir)) out[path.relative(dir, f)] = createHash('sha256').update(readFileSync(f)).digest('hex');
  return out;
}

describe('store keys with a real Secret Service', () => {
  it('creates a store whose key lives in the keychain, and reopens it with no recovery key', () => {
    const env = home('roundtrip');
    const dataDir = path.join(root, 'roundtrip-data');
    const rk = path.join(root, 'roundtrip-rk');
    const [init, add, open] = session(env, 'unlocked', [
      { op: 'init', dataDir, recoveryOut: rk },
      { op: 'add', dataDir, count: 5 },
      { op: 'open', dataDir },
    ]);
    expect(init).toMatchObject({ ok: true, keychain: true });
    expect(add).toMatchObject({ ok: true, added: 5 });
    expect(open).toMatchObject({ ok: true, via: 'keychain', studies: 1, instances: 5 });
    // A later login session (same user, keyring unlocked at login) opens it too.
    expect(session(env, 'unlocked', [{ op: 'open', dataDir }])[0]).toMatchObject({ ok: true, via: 'keychain', instances: 5 });
    // Neither the data key nor the keychain secret is in the key file in the clear: it holds wraps only.
    const kf = JSON.parse(readFileSync(path.join(dataDir, 'keys.json'), 'utf8')) as { wraps: { type: string }[] };
    expect(kf.wraps.map((w) => w.type).sort()).toEqual(['keychain', 'recovery']);
  });

  it('a wrong key is a clear error (DB_WRONG_KEY / RECOVERY_KEY_INVALID), and the store still opens with the right one', () => {
    const env = home('wrong');
    const a = path.join(root, 'wrong-a');
    const b = path.join(root, 'wrong-b');
    const rkA = path.join(root, 'wrong-rk-a');
    const rkB = path.join(root, 'wrong-rk-b');
    const r = session(env, 'unlocked', [
      { op: 'init', dataDir: a, recoveryOut: rkA },
      { op: 'add', dataDir: a, count: 3 },
      { op: 'init', dataDir: b, recoveryOut: rkB },
    ]);
    expect(r.every((x) => x.ok)).toBe(true);
    const before = snapshot(a);

    // (1) The keychain holds some other secret for this store.
    // (2) Another store's key file: its key unwraps fine, but it does not open this database.
    // (3) Another store's recovery key.
    const keysA = path.join(a, 'keys.json');
    const saved = path.join(root, 'wrong-keys-a.json');
    copyFileSync(keysA, saved);
    const [replace, open1] = session(env, 'unlocked', [{ op: 'replaceKeychainSecret', dataDir: a }, { op: 'open', dataDir: a }]);
    expect(replace!.ok).toBe(true);
    expect(open1).toMatchObject({ ok: false, code: 'DB_WRONG_KEY' });
    copyFileSync(path.join(b, 'keys.json'), keysA);
    const [open2] = session(env, 'unlocked', [{ op: 'open', dataDir: a }]);
    expect(open2).toMatchObject({ ok: false, code: 'DB_WRONG_KEY' });
    expect(open2!.message).toMatch(/key/i);
    copyFileSync(saved, keysA);
    const [open3] = session(env, 'unlocked', [{ op: 'openRecovery', dataDir: a, recoveryFile: rkB }]);
    expect(open3).toMatchObject({ ok: false, code: 'RECOVERY_KEY_INVALID' });
    expect(snapshot(a)).toEqual(before);

    // The right recovery key opens it and puts a working secret back in the keychain.
    const [good, again] = session(env, 'unlocked', [
      { op: 'openRecovery', dataDir: a, recoveryFile: rkA },
      { op: 'open', dataDir: a },
    ]);
    expect(good).toMatchObject({ ok: true, via: 'recovery', keychainRewrapped: true, instances: 3 });
    expect(again).toMatchObject({ ok: true, via: 'keychain', instances: 3 });
  });

  it('a locked keyring gives DB_KEY_UNAVAILABLE, never a new key, and the data opens once it is unlocked', () => {
    const env = home('locked');
    const dataDir = path.join(root, 'locked-data');
    const rk = path.join(root, 'locked-rk');
    const other = path.join(root, 'locked-other');
    const r = session(env, 'unlocked', [
      { op: 'init', dataDir, recoveryOut: rk },
      { op: 'add', dataDir, count: 4 },
    ]);
    expect(r.every((x) => x.ok)).toBe(true);
    const before = snapshot(dataDir);

    // Locked while running (Secret Service Lock), then a new store cannot be created either.
    const [lock, open, init] = session(env, 'unlocked', [
      { op: 'lockKeyring' },
      { op: 'open', dataDir },
      { op: 'init', dataDir: other, recoveryOut: path.join(root, 'locked-other-rk') },
    ]);
    expect(lock!.ok).toBe(true);
    expect(open).toMatchObject({ ok: false, code: 'DB_KEY_UNAVAILABLE' });
    expect(open!.message).toMatch(/unlock/i);
    expect(open!.message).toMatch(/recovery key/i);
    expect(init).toMatchObject({ ok: false, code: 'KEYCHAIN_LOCKED' });

    // Locked at login (the daemon started without the password).
    const [lockedAtLogin] = session(env, 'locked', [{ op: 'open', dataDir }]);
    expect(lockedAtLogin).toMatchObject({ ok: false, code: 'DB_KEY_UNAVAILABLE' });
    expect(snapshot(dataDir)).toEqual(before);

    // Unlocked again: same key file, same keychain secret, all the data.
    const [reopened] = session(env, 'unlocked', [{ op: 'open', dataDir }]);
    expect(reopened).toMatchObject({ ok: true, via: 'keychain', studies: 1, instances: 4 });
  });

  it('the recovery key opens the store on a machine with an empty keychain, and the keychain works afterwards', () => {
    const dataDir = path.join(root, 'moved-data');
    const rk = path.join(root, 'moved-rk');
    const r = session(home('old-machine'), 'unlocked', [
      { op: 'init', dataDir, recoveryOut: rk },
      { op: 'add', dataDir, count: 3 },
    ]);
    expect(r.every((x) => x.ok)).toBe(true);
    const before = snapshot(dataDir);

    const newMachine = home('new-machine');
    const [noKey] = session(newMachine, 'unlocked', [{ op: 'open', dataDir }]);
    expect(noKey).toMatchObject({ ok: false, code: 'DB_KEY_UNAVAILABLE' });
    expect(snapshot(dataDir)).toEqual(before);
    const [rec, kc] = session(newMachine, 'unlocked', [
      { op: 'openRecovery', dataDir, recoveryFile: rk },
      { op: 'open', dataDir },
    ]);
    expect(rec).toMatchObject({ ok: true, via: 'recovery', keychainRewrapped: true, studies: 1, instances: 3 });
    expect(kc).toMatchObject({ ok: true, via: 'keychain', instances: 3 });
  });

  it('with no D-Bus at all: KEYCHAIN_UNAVAILABLE, and the recovery-key path works', () => {
    const env = home('headless');
    const dataDir = path.join(root, 'headless-data');
    const rk = path.join(root, 'headless-rk');
    const [init, initNo, open, rec] = session(env, 'none', [
      { op: 'init', dataDir, recoveryOut: rk },
      { op: 'initNoKeychain', dataDir, recoveryOut: rk },
      { op: 'open', dataDir },
      { op: 'openRecovery', dataDir, recoveryFile: rk },
    ]);
    expect(init).toMatchObject({ ok: false, code: 'KEYCHAIN_UNAVAILABLE' });
    expect(initNo).toMatchObject({ ok: true, keychain: false });
    expect(open).toMatchObject({ ok: false, code: 'DB_KEY_UNAVAILABLE' });
    expect(rec).toMatchObject({ ok: true, via: 'recovery', keychainRewrapped: false });
  });
});

