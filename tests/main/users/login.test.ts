// First run, login and the data key: the store opens only after a login (each user's password wraps the data key
// in keys.json); a wrong password or a wrong name fail alike; a wrong password cannot unwrap the key; the
// production argon2id cost (m = 64 MiB, t = 3, p = 1) is what a default set-up writes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readKeyFile, unwrapWithPasswordKey, type PasswordWrap } from '../../../src-main/services/keys/keyFile';
import { StoreSession } from '../../../src-main/services/app/storeSession';
import { AuthSession } from '../../../src-main/services/users/authSession';
import { PASSWORD_KDF_PRODUCTION, passwordKey } from '../../../src-main/services/users/passwordKdf';
import { initStore } from '../../../src-main/services/store/openStore';
import { AppError } from '../../../src-shared/errors';
import { codeOfAsync } from '../../tools/errorCode';
import { ADMIN, events, openAccounts, tempRoot } from './fixtures/accounts';

let t: ReturnType<typeof tempRoot>;
beforeEach(() => {
  t = tempRoot();
});
afterEach(() => t.cleanup());

async function passwordWrapsOf(dataDir: string): Promise<PasswordWrap[]> {
  const kf = await readKeyFile(path.join(dataDir, 'keys.json'));
  return kf!.wraps.filter((w): w is PasswordWrap => w.type === 'password');
}

describe('first run and login', () => {
  it('setup creates the store and the administrator (recovery key once); the next start waits for a login', async () => {
    const dataDir = path.join(t.root, 'd');
    let a = await openAccounts(dataDir);
    expect(a.auth.status().state).toBe('setup');
    const r = await a.auth.setup(ADMIN);
    expect(r.recoveryKey).toMatch(/^([0-9A-Z]{5}-){10}[0-9A-Z]{5}$/);
    expect(r.keychain).toBe(false);
    expect(r.status).toMatchObject({ state: 'active', user: { username: 'alice', role: 'admin', mfaEnrolled: false }, mfaRequired: false, idleLockMinutes: 10 });
    expect(r.status.permissions).toContain('manageUsers');
    const wraps = await passwordWrapsOf(dataDir);
    expect(wraps).toHaveLength(1);
    expect(readFileSync(path.join(dataDir, 'keys.json'), 'utf8')).not.toContain('alice');
    const log = events(a.audit());
    expect(log).toContainEqual(expect.objectContaining({ id: '110113', type: '110136', outcome: 0, user: wraps[0]!.user, userName: 'alice', detail: { op: 'userCreated', role: 'admin', firstRun: true } }));
    expect(log).toContainEqual(expect.objectContaining({ id: '110114', type: '110122', outcome: 0, user: wraps[0]!.user, userName: 'alice' }));

    a = await a.restart();
    expect(a.cache.current()).toMatchObject({ state: 'locked', error: { code: 'AUTH_REQUIRED' } });
    expect(a.auth.status()).toMatchObject({ state: 'login', user: null, permissions: [] });
    expect(a.auth.principal()).toBeNull();
    expect(await codeOfAsync(a.auth.setup(ADMIN))).toBe('STORE_EXISTS');
    const st = await a.auth.login({ username: 'ALICE', password: ADMIN.password });
    expect(st.state).toBe('active');
    expect(a.cache.current().state).toBe('open');
    expect(a.auth.principal()).toMatchObject({ username: 'alice', role: 'admin', breakGlass: false });
    await a.close();
  });

  it('a wrong password and an unknown name get the same AUTH_FAILED, and the store stays closed', async () => {
    const dataDir = path.join(t.root, 'd');
    let a = await openAccounts(dataDir);
    await a.auth.setup(ADMIN);
    a = await a.restart();
    const wrong = await a.auth.login({ username: 'alice', password: 'not the password' }).catch((e: Error & { code: string }) => e);
    const nobody = await a.auth.login({ username: 'mallory', password: ADMIN.password }).catch((e: Error & { code: string }) => e);
    expect(wrong).toMatchObject({ code: 'AUTH_FAILED' });
    expect(nobody).toMatchObject({ code: 'AUTH_FAILED', message: (wrong as Error).message });
    expect(a.cache.encrypted()).toBeNull();
    // The failures wait in keys.json (no names in it), survive a restart, and reach the trail when the store opens.
    const waiting = readFileSync(path.join(dataDir, 'keys.json'), 'utf8');
    expect((JSON.parse(waiting) as { pendingAudit: unknown[] }).pendingAudit).toHaveLength(2);
    expect(waiting).not.toContain('mallory');
    a = await a.restart();
    await a.auth.login({ username: 'alice', password: ADMIN.password });
    expect(readFileSync(path.join(dataDir, 'keys.json'), 'utf8')).not.toContain('pendingAudit');
    const log = events(a.audit());
    const [w] = await passwordWrapsOf(dataDir);
    expect(log).toContainEqual(expect.objectContaining({ id: '110114', type: '110122', outcome: 4, user: w!.user, userName: 'alice', detail: expect.objectContaining({ reason: 'badPassword', failures: 1 }) }));
    expect(log).toContainEqual(expect.objectContaining({ id: '110114', type: '110122', outcome: 4, user: 'unknown-user', detail: expect.objectContaining({ reason: 'unknownUser' }) }));
    expect(JSON.stringify(log)).not.toContain('mallory');
    expect(log.at(-1)).toMatchObject({ id: '110114', type: '110122', outcome: 0, user: w!.user, detail: { method: 'password', failedBefore: 1 } });
    await a.close();
  });

  it('the data key cannot be unwrapped with a wrong password, and the wrap is bound to its user and store', async () => {
    const dataDir = path.join(t.root, 'd');
    const a = await openAccounts(dataDir);
    await a.auth.setup(ADMIN);
    const dataKey = Buffer.from(a.cache.dataKey()!);
    await a.close();
    const kf = (await readKeyFile(path.join(dataDir, 'keys.json')))!;
    const [w] = await passwordWrapsOf(dataDir);
    const right = await passwordKey(ADMIN.password, w!.kdf);
    expect(unwrapWithPasswordKey(w!, kf.storeId, right)?.equals(dataKey)).toBe(true);
    expect(unwrapWithPasswordKey(w!, kf.storeId, await passwordKey(ADMIN.password + ' ', w!.kdf))).toBeNull();
    expect(unwrapWithPasswordKey(w!, kf.storeId, await passwordKey('correct horse battery'.toUpperCase(), w!.kdf))).toBeNull();
    // The same key under another user id or another store id: the AAD refuses it.
    expect(unwrapWithPasswordKey({ ...w!, user: `u-${'0'.repeat(32)}` }, kf.storeId, right)).toBeNull();
    expect(unwrapWithPasswordKey(w!, 'f'.repeat(32), right)).toBeNull();
  });

  it('passwords of 12 to 128 characters, counted whole (no truncation)', async () => {
    const a = await openAccounts(path.join(t.root, 'd'));
    expect(await codeOfAsync(a.auth.setup({ ...ADMIN, password: 'short pass' }))).toBe('INVALID_REQUEST');
    expect(await codeOfAsync(a.auth.setup({ ...ADMIN, password: 'x'.repeat(129) }))).toBe('INVALID_REQUEST');
    const long = 'p'.repeat(127) + 'A';
    await a.auth.setup({ ...ADMIN, password: long });
    const b = await a.restart();
    // The same first 127 characters with another last one: a truncating hash would let it in.
    expect(await codeOfAsync(b.auth.login({ username: 'alice', password: 'p'.repeat(127) + 'B' }))).toBe('AUTH_FAILED');
    expect((await b.auth.login({ username: 'alice', password: long })).state).toBe('active');
    await b.close();
  });

  it('a cache made before accounts (no users) goes to setup once opened, and setup only adds the administrator', async () => {
    const dataDir = path.join(t.root, 'legacy');
    const { recoveryKey } = await initStore({ dataDir, keyStore: null });
    const cache = new StoreSession(dataDir, null);
    const auth = new AuthSession({ cache, kdfCost: { m: 1024, t: 1, p: 1 }, timers: false });
    await cache.start();
    await auth.start();
    expect(auth.state()).toBe('unavailable');
    await cache.unlockWithRecoveryKey(recoveryKey);
    expect(auth.state()).toBe('setup');
    const r = await auth.setup(ADMIN);
    expect(r.recoveryKey).toBeNull();
    expect(r.status.state).toBe('active');
    auth.dispose();
    await cache.close();
    expect(await passwordWrapsOf(dataDir)).toHaveLength(1);
  });

  it('on a machine without any keychain, setup makes a recovery-key-only cache and says so', async () => {
    const dataDir = path.join(t.root, 'headless');
    const none = { get: async () => null, set: async () => { throw new AppError('KEYCHAIN_UNAVAILABLE', 'no Secret Service'); }, delete: async () => false };
    const cache = new StoreSession(dataDir, none);
    const auth = new AuthSession({ cache, kdfCost: { m: 1024, t: 1, p: 1 }, timers: false });
    await cache.start();
    await auth.start();
    const r = await auth.setup(ADMIN);
    expect(r).toMatchObject({ keychain: false, status: { state: 'active' } });
    expect(r.recoveryKey).toMatch(/^([0-9A-Z]{5}-){10}[0-9A-Z]{5}$/);
    expect((await readKeyFile(path.join(dataDir, 'keys.json')))!.wraps.map((w) => w.type).sort()).toEqual(['password', 'recovery']);
    auth.dispose();
    await cache.close();
  });

  it('the production cost: argon2id m = 64 MiB, t = 3, p = 1 with a unique salt, and a login with it', async () => {
    const dataDir = path.join(t.root, 'prod');
    const a = await openAccounts(dataDir, { kdf: PASSWORD_KDF_PRODUCTION });
    await a.auth.setup(ADMIN);
    await a.auth.changePassword({ currentPassword: ADMIN.password, newPassword: 'another long password' });
    const [w] = await passwordWrapsOf(dataDir);
    expect(w!.kdf).toMatchObject({ name: 'argon2id', m: 65536, t: 3, p: 1 });
    expect(Buffer.from(w!.kdf.salt, 'base64').length).toBe(16);
    const b = await a.restart();
    const t0 = performance.now();
    expect((await b.auth.login({ username: 'alice', password: 'another long password' })).state).toBe('active');
    // Two derivations would show here; one at this cost stays well under a few seconds even on a busy machine.
    expect(performance.now() - t0).toBeLessThan(5000);
    await b.close();
  });
});
