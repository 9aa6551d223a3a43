// What an administrator does to accounts, each audited with its own event: a role change is 110136 Security Roles
// Changed, a password/MFA/unlock/disable change 110137 User Security Attributes Changed. A removed user's wrap is
// gone and their password opens nothing, even with the old wrap copied back into keys.json; a password change
// re-wraps (the old password fails, the new one opens); the last administrator stays.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserAdmin } from '../../../src-main/services/users/userAdmin';
import { codeOfAsync } from '../../tools/errorCode';
import { ADMIN, events, openAccounts, tempRoot } from './fixtures/accounts';

let t: ReturnType<typeof tempRoot>;
beforeEach(() => {
  t = tempRoot();
});
afterEach(() => t.cleanup());

const BOB = { username: 'bob', displayName: 'Bob Rad', role: 'radiologist' as const, password: 'bobs long password' };

describe('user administration', () => {
  it('create, change role, disable, reset password and remove: each audited; a removed user opens nothing', async () => {
    const dataDir = path.join(t.root, 'd');
    const keys = path.join(dataDir, 'keys.json');
    const a = await openAccounts(dataDir);
    await a.auth.setup(ADMIN);
    const me = a.auth.principal()!.userId;
    const admin = new UserAdmin(a.auth);
    const bob = await admin.create(BOB);
    expect(bob).toMatchObject({ username: 'bob', role: 'radiologist', disabled: false, mfaEnrolled: false, lockedUntil: null, failedLogins: 0 });
    expect(await codeOfAsync(admin.create({ ...BOB, username: 'BOB' }))).toBe('INVALID_REQUEST');
    expect((await admin.update({ userId: bob.userId, role: 'technologist' })).role).toBe('technologist');
    await admin.update({ userId: bob.userId, disabled: true });
    await admin.resetPassword(bob.userId, 'a brand new password');
    const expectEvent = (type: string, detail: object) =>
      expect(events(a.audit())).toContainEqual(expect.objectContaining({ id: '110113', type, outcome: 0, user: me, userName: 'alice', objects: [expect.objectContaining({ type: 'user', id: bob.userId, name: 'bob' })], detail }));
    expectEvent('110136', { op: 'userCreated', role: 'radiologist' });
    expectEvent('110136', { op: 'roleChanged', from: 'radiologist', to: 'technologist' });
    expectEvent('110137', { op: 'userDisabled' });
    expectEvent('110137', { op: 'passwordReset' });
    await a.auth.logout();
    // Disabled: even the right (new) password is refused.
    expect(await codeOfAsync(a.auth.login({ username: 'bob', password: 'a brand new password' }))).toBe('AUTH_FAILED');
    await a.auth.login({ username: 'alice', password: ADMIN.password });
    await new UserAdmin(a.auth).update({ userId: bob.userId, disabled: false });
    expectEvent('110137', { op: 'userEnabled' });
    await a.auth.logout();
    expect(await codeOfAsync(a.auth.login({ username: 'bob', password: BOB.password }))).toBe('AUTH_FAILED');
    expect(a.auth.status().state).toBe('login');
    expect((await a.auth.login({ username: 'bob', password: 'a brand new password' })).user).toMatchObject({ username: 'bob', role: 'technologist' });
    await a.auth.logout();

    const withBob = readFileSync(keys, 'utf8');
    await a.auth.login({ username: 'alice', password: ADMIN.password });
    expect(await codeOfAsync(new UserAdmin(a.auth).remove(me))).toBe('INVALID_REQUEST');
    await new UserAdmin(a.auth).remove(bob.userId);
    expectEvent('110136', { op: 'userRemoved', role: 'technologist' });
    const seq = a.audit().at(-1)!.seq;
    await a.auth.logout();
    expect(readFileSync(keys, 'utf8')).not.toContain(bob.userId);
    expect(await codeOfAsync(a.auth.login({ username: 'bob', password: 'a brand new password' }))).toBe('AUTH_FAILED');
    // Waiting for the trail: a failure as for any unknown name (the wrap is gone).
    expect(JSON.parse(readFileSync(keys, 'utf8')).pendingAudit).toEqual([expect.objectContaining({ event: expect.objectContaining({ user: 'unknown-user', detail: { reason: 'unknownUser' } }) })]);
    // The old keys.json copied back: the wrap unwraps the data key, but the account is gone: nothing opens.
    writeFileSync(keys, withBob);
    expect(await codeOfAsync(a.auth.login({ username: 'bob', password: 'a brand new password' }))).toBe('AUTH_FAILED');
    expect(a.cache.encrypted()).toBeNull();
    expect(a.auth.principal()).toBeNull();
    await a.auth.login({ username: 'alice', password: ADMIN.password });
    expect(events(a.audit(), seq).filter((e) => e.outcome === 4).map((e) => [e.user, e.detail['reason']])).toEqual([[bob.userId, 'unknownAccount']]);
    await a.close();
  });

  it('a password change re-wraps: the old password fails, the new one opens; audited as the user\'s own change', async () => {
    let a = await openAccounts(path.join(t.root, 'd'));
    await a.auth.setup(ADMIN);
    const me = a.auth.principal()!.userId;
    expect(await codeOfAsync(a.auth.changePassword({ currentPassword: 'not my password!', newPassword: 'the next long password' }))).toBe('AUTH_FAILED');
    expect(await a.auth.changePassword({ currentPassword: ADMIN.password, newPassword: 'the next long password' })).toEqual({ changed: true });
    expect(events(a.audit()).at(-1)).toMatchObject({ id: '110113', type: '110137', outcome: 0, user: me, detail: { op: 'passwordChanged' } });
    a = await a.restart();
    expect(await codeOfAsync(a.auth.login({ username: 'alice', password: ADMIN.password }))).toBe('AUTH_FAILED');
    expect((await a.auth.login({ username: 'alice', password: 'the next long password' })).state).toBe('active');
    await a.close();
  });

  it('the last administrator cannot be demoted, disabled or removed; a non-administrator manages nobody', async () => {
    const a = await openAccounts(path.join(t.root, 'd'));
    await a.auth.setup(ADMIN);
    const me = a.auth.principal()!.userId;
    const admin = new UserAdmin(a.auth);
    expect(await codeOfAsync(admin.update({ userId: me, role: 'radiologist' }))).toBe('INVALID_REQUEST');
    expect(await codeOfAsync(admin.update({ userId: me, disabled: true }))).toBe('INVALID_REQUEST');
    await admin.create(BOB);
    await a.auth.logout();
    await a.auth.login({ username: 'bob', password: BOB.password });
    expect(await codeOfAsync(new UserAdmin(a.auth).list())).toBe('FORBIDDEN');
    expect(await codeOfAsync(new UserAdmin(a.auth).create({ ...BOB, username: 'eve' }))).toBe('FORBIDDEN');
    await a.close();
  });
});
