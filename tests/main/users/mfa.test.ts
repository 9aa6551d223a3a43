// MFA: enrolment (secret, otpauth URI and a QR code drawn locally as SVG), confirmation with a code, ten recovery
// codes shown once and kept only as hashes; then a login needs the code (MFA_REQUIRED after a correct password), a
// code is accepted once per step (a replay is MFA_INVALID and audited as a failure), a recovery code works once;
// a role the policy requires MFA for must enrol at first login and has no rights until it does.
import path from 'node:path';
import { Secret } from 'otpauth';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { totpCode } from '../../../src-main/services/users/totp';
import { UserAdmin } from '../../../src-main/services/users/userAdmin';
import { codeOfAsync } from '../../tools/errorCode';
import { ADMIN, events, openAccounts, tempRoot } from './fixtures/accounts';

let t: ReturnType<typeof tempRoot>;
beforeEach(() => {
  t = tempRoot();
});
afterEach(() => t.cleanup());

const secretOf = (base32: string) => Buffer.from(Secret.fromBase32(base32).bytes);

describe('MFA', () => {
  it('enrols with a local QR code, then a login needs the code, once per step; recovery codes work once', async () => {
    let a = await openAccounts(path.join(t.root, 'd'));
    await a.auth.setup(ADMIN);
    const userId = a.auth.principal()!.userId;
    const e = await a.auth.beginMfa();
    expect(e.otpauthUri).toBe(`otpauth://totp/Enclave:alice?issuer=Enclave&secret=${e.secret}&algorithm=SHA1&digits=6&period=30`);
    expect(e.qrSvg.startsWith('<svg')).toBe(true);
    expect(e.qrSvg).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    const secret = secretOf(e.secret);
    expect(secret.length).toBe(20);
    expect(await codeOfAsync(a.auth.confirmMfa(totpCode({ secret: Buffer.alloc(20, 1) }, a.clock.now())))).toBe('MFA_INVALID');
    const { recoveryCodes } = await a.auth.confirmMfa(totpCode({ secret }, a.clock.now()));
    expect(recoveryCodes).toHaveLength(10);
    expect(a.auth.status().user!.mfaEnrolled).toBe(true);
    // Only hashes are kept: no recovery code appears in the database.
    const db = a.cache.encrypted()!.database;
    const stored = JSON.stringify(db.prepare('SELECT hex(code_hash) AS h FROM user_recovery_codes').all());
    for (const c of recoveryCodes) expect(stored).not.toContain(Buffer.from(c).toString('hex').toUpperCase());
    expect((db.prepare('SELECT count(*) AS n FROM user_recovery_codes').get() as { n: number }).n).toBe(10);
    const log = events(a.audit());
    expect(log).toContainEqual(expect.objectContaining({ id: '110113', type: '110137', outcome: 4, user: userId, detail: { op: 'mfaEnrolFailed' } }));
    expect(log).toContainEqual(expect.objectContaining({ id: '110113', type: '110137', outcome: 0, user: userId, userName: 'alice', detail: { op: 'mfaEnrolled', recoveryCodes: 10 } }));

    a = await a.restart();
    a.clock.advance(60_000);
    expect(await codeOfAsync(a.auth.login({ username: 'alice', password: ADMIN.password }))).toBe('MFA_REQUIRED');
    expect(a.auth.principal()).toBeNull();
    const code = totpCode({ secret }, a.clock.now());
    expect((await a.auth.login({ username: 'alice', password: ADMIN.password, totp: code })).state).toBe('active');
    const seq = a.audit().at(-1)!.seq;
    expect(events(a.audit()).at(-1)).toMatchObject({ id: '110114', type: '110122', outcome: 0, user: userId, detail: { method: 'password-totp' } });
    await a.auth.logout();
    // The same code again in the same 30 s step: refused, audited, counted.
    expect(await codeOfAsync(a.auth.login({ username: 'alice', password: ADMIN.password, totp: code }))).toBe('MFA_INVALID');
    // The code of the step before (inside the ±1 window) is older than the one used: refused too.
    expect(await codeOfAsync(a.auth.login({ username: 'alice', password: ADMIN.password, totp: totpCode({ secret }, a.clock.now() - 30_000) }))).toBe('MFA_INVALID');
    a.clock.advance(30_000);
    expect((await a.auth.login({ username: 'alice', password: ADMIN.password, totp: totpCode({ secret }, a.clock.now()) })).state).toBe('active');
    const fails = events(a.audit(), seq).filter((x) => x.outcome === 4);
    expect(fails.map((x) => [x.id, x.type, x.user, x.detail['reason']])).toEqual([
      ['110114', '110122', userId, 'mfaReplay'],
      ['110114', '110122', userId, 'mfaReplay'],
    ]);
    await a.auth.logout();

    const rc = recoveryCodes[3]!;
    expect((await a.auth.login({ username: 'alice', password: ADMIN.password, recoveryCode: rc.toLowerCase() })).state).toBe('active');
    expect(events(a.audit()).filter((x) => x.detail['op'] === 'recoveryCodeUsed').at(-1)).toMatchObject({ id: '110113', type: '110137', detail: { left: 9 } });
    await a.auth.logout();
    expect(await codeOfAsync(a.auth.login({ username: 'alice', password: ADMIN.password, recoveryCode: rc }))).toBe('MFA_INVALID');
    await a.close();
  });

  it('policy requires MFA for a role: the first login must enrol and has no rights until then; an admin reset asks again', async () => {
    let a = await openAccounts(path.join(t.root, 'd'), { policy: { MfaRequiredRoles: ['radiologist'] } });
    await a.auth.setup(ADMIN);
    const bob = await new UserAdmin(a.auth).create({ username: 'bob', displayName: 'Bob', role: 'radiologist', password: 'bobs long password' });
    a = await a.restart();
    const st = await a.auth.login({ username: 'bob', password: 'bobs long password' });
    expect(st).toMatchObject({ state: 'active', mfaRequired: true, user: { mfaEnrolled: false }, permissions: [] });
    expect(a.auth.principal()!.permissions).toEqual([]);
    expect(events(a.audit()).at(-1)).toMatchObject({ type: '110122', user: bob.userId, detail: { method: 'password', mfaEnrolmentRequired: true } });
    const e = await a.auth.beginMfa();
    await a.auth.confirmMfa(totpCode({ secret: secretOf(e.secret) }, a.clock.now()));
    expect(a.auth.principal()!.permissions).toContain('view');
    // Required by policy: unlocking needs the code too.
    a.auth.lock();
    expect(await codeOfAsync(a.auth.unlock({ password: 'bobs long password' }))).toBe('MFA_REQUIRED');
    a.clock.advance(30_000);
    expect((await a.auth.unlock({ password: 'bobs long password', totp: totpCode({ secret: secretOf(e.secret) }, a.clock.now()) })).state).toBe('active');
    await a.auth.logout();

    a.clock.advance(30_000);
    await a.auth.login({ username: 'alice', password: ADMIN.password });
    const reset = await new UserAdmin(a.auth).resetMfa(bob.userId);
    expect(reset.mfaEnrolled).toBe(false);
    expect(events(a.audit()).at(-1)).toMatchObject({ id: '110113', type: '110137', userName: 'alice', objects: [expect.objectContaining({ id: bob.userId, name: 'bob' })], detail: { op: 'mfaReset' } });
    await a.auth.logout();
    expect((await a.auth.login({ username: 'bob', password: 'bobs long password' })).permissions).toEqual([]);
    await a.close();
  });
});
