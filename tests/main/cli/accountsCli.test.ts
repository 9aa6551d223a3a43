// The `enclave` CLI on a store with user accounts authenticates like the app: --user with --password-file (and
// --totp where the account has MFA), or IT's recovery key; each is audited (User Authentication, client=cli or
// method=recoveryKey). Without either it refuses and says how.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Secret } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreSession } from '../../../src-main/services/app/storeSession';
import { AuthSession } from '../../../src-main/services/users/authSession';
import { totpCode } from '../../../src-main/services/users/totp';
import { UserAdmin } from '../../../src-main/services/users/userAdmin';
import { tempDir } from '../import/fixtures/importFixtures';
import { ADMIN, events, TEST_KDF } from '../users/fixtures/accounts';
import { buildCli, isolatedEnv, type BuiltCli } from './fixtures/cliBuild';

let cli: BuiltCli;
let root: string;
let env: Record<string, string>;
let dataDir: string;
let rk: string;
let pw: string;

beforeAll(async () => {
  cli = await buildCli();
  root = tempDir('cli-accounts');
  for (const d of ['home', 'tmp']) mkdirSync(path.join(root, d));
  dataDir = path.join(root, 'data');
  rk = path.join(root, 'recovery.key');
  pw = path.join(root, 'password.txt');
  writeFileSync(pw, `${ADMIN.password}\n`, { mode: 0o600 });
  env = isolatedEnv(path.join(root, 'home'), path.join(root, 'tmp'), { ENCLAVE_DATA_DIR: dataDir });
});

afterAll(() => {
  cli?.cleanup();
  rmSync(root, { recursive: true, force: true });
});

/** The app's side, in this process: the recovery key opens the cache made by `enclave init`, then set-up. */
async function app(): Promise<{ cache: StoreSession; auth: AuthSession }> {
  const cache = new StoreSession(dataDir, null);
  const auth = new AuthSession({ cache, kdfCost: TEST_KDF, timers: false });
  await cache.start();
  await auth.start();
  return { cache, auth };
}

describe('enclave CLI with user accounts', () => {
  it('logs in as a user with a password file (and TOTP where enrolled), or with the recovery key; audited', async () => {
    expect(cli.run(['init', '--no-keychain', '--recovery-key-out', rk], env).status).toBe(0);
    const { readFileSync } = await import('node:fs');
    let { cache, auth } = await app();
    await cache.unlockWithRecoveryKey(readFileSync(rk, 'utf8').trim());
    await auth.setup(ADMIN);
    const userId = auth.principal()!.userId;
    await auth.logout();

    const noUser = cli.run(['ls'], env);
    expect(noUser.status).toBe(1);
    expect(noUser.stderr).toContain('AUTH_REQUIRED');
    const bad = path.join(root, 'bad.txt');
    writeFileSync(bad, 'not the right password\n');
    const wrong = cli.run(['ls', '--user', 'alice', '--password-file', bad], env);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('AUTH_FAILED');
    const ok = cli.run(['ls', '--user', 'alice', '--password-file', pw], env);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toBe('The store is empty.\n');
    const viaRecovery = cli.run(['audit', 'verify', '--recovery-key-file', rk], env);
    expect(viaRecovery.status, viaRecovery.stderr).toBe(0);

    // MFA: enrolled in the app, then the CLI needs --totp.
    await auth.login({ username: 'alice', password: ADMIN.password });
    const e = await auth.beginMfa();
    const secret = Buffer.from(Secret.fromBase32(e.secret).bytes);
    await auth.confirmMfa(totpCode({ secret }, Date.now() - 30_000));
    await auth.logout();
    const noCode = cli.run(['ls', '--user', 'alice', '--password-file', pw], env);
    expect(noCode.status).toBe(1);
    expect(noCode.stderr).toContain('MFA_REQUIRED');
    const withCode = cli.run(['ls', '--user', 'alice', '--password-file', pw, '--totp', totpCode({ secret }, Date.now())], env);
    expect(withCode.status, withCode.stderr).toBe(0);

    ({ cache, auth } = await app());
    await auth.login({ username: 'alice', password: ADMIN.password, totp: totpCode({ secret }, Date.now() + 30_000) });
    const log = events(cache.encrypted()!.audit.list(0, 10_000));
    expect(log).toContainEqual(expect.objectContaining({ id: '110114', type: '110122', outcome: 4, user: userId, detail: expect.objectContaining({ reason: 'badPassword' }) }));
    expect(log.filter((x) => x.type === '110122' && x.outcome === 0 && x.detail['client'] === 'cli').map((x) => [x.user, x.userName, x.detail['method']])).toEqual([
      [userId, 'alice', 'password'],
      ['local', 'local user', 'recoveryKey'],
      [userId, 'alice', 'password-totp'],
    ]);
    expect(log.filter((x) => x.type === '110123' && x.detail['client'] === 'cli')).toHaveLength(2);
    // The rest without a second factor (codes are bound to the real clock of the child processes).
    await new UserAdmin(auth).resetMfa(userId);
    await auth.logout();

    // IT resets a forgotten password with the recovery key; the old one stops working, the new one opens.
    const fresh = path.join(root, 'new-password.txt');
    writeFileSync(fresh, 'a password IT gave me\n');
    const reset = cli.run(['users', 'reset-password', '--account', 'alice', '--new-password-file', fresh, '--recovery-key-file', rk], env);
    expect(reset.status, reset.stderr).toBe(0);
    expect(cli.run(['ls', '--user', 'alice', '--password-file', pw], env).stderr).toContain('AUTH_FAILED');
    const again = cli.run(['ls', '--user', 'alice', '--password-file', fresh], env);
    expect(again.status, again.stderr).toBe(0);
    const noKey = cli.run(['users', 'reset-password', '--account', 'alice', '--new-password-file', fresh], env);
    expect(noKey.stderr).toContain('INVALID_REQUEST');
    await auth.login({ username: 'alice', password: 'a password IT gave me' });
    expect(events(cache.encrypted()!.audit.list(0, 10_000))).toContainEqual(
      expect.objectContaining({ id: '110113', type: '110137', outcome: 0, user: 'local', objects: [expect.objectContaining({ id: userId, name: 'alice' })], detail: { op: 'passwordReset', via: 'recoveryKey', client: 'cli' } }),
    );
    auth.dispose();
    await cache.close();
  });
});
