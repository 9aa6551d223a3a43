// Lockout: after LockoutThreshold (5) consecutive failures the account locks, even the right password is refused
// until the lock runs out (1 min, then twice as long after each further lock) or an administrator unlocks it; each
// failure, the lock and the unlock are audited. The counters live in keys.json, so they hold before the store opens
// and across restarts.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeOfAsync } from '../../tools/errorCode';
import { ADMIN, events, openAccounts, tempRoot } from './fixtures/accounts';

let t: ReturnType<typeof tempRoot>;
beforeEach(() => {
  t = tempRoot();
});
afterEach(() => t.cleanup());

const BOB = { username: 'bob', displayName: 'Bob Rad', role: 'radiologist' as const, password: 'bobs long password' };

describe('lockout', () => {
  it('locks after 5 failures, refuses the right password while locked, and an administrator unlocks', async () => {
    const dataDir = path.join(t.root, 'd');
    let a = await openAccounts(dataDir);
    await a.auth.setup(ADMIN);
    const { UserAdmin } = await import('../../../src-main/services/users/userAdmin');
    const bob = await new UserAdmin(a.auth).create(BOB);
    a = await a.restart();

    for (let i = 1; i <= 4; i++) expect(await codeOfAsync(a.auth.login({ username: 'bob', password: `wrong guess ${i}!!` }))).toBe('AUTH_FAILED');
    expect(await codeOfAsync(a.auth.login({ username: 'bob', password: 'wrong guess 5!!' }))).toBe('AUTH_FAILED');
    expect(await codeOfAsync(a.auth.login({ username: 'bob', password: BOB.password }))).toBe('ACCOUNT_LOCKED');
    expect(await codeOfAsync(a.auth.login({ username: 'bob', password: BOB.password }))).toBe('ACCOUNT_LOCKED');
    // The events of failures before the store opened were held; the next login (alice) writes them.
    await a.auth.login({ username: 'alice', password: ADMIN.password });
    let admin = new UserAdmin(a.auth);
    const listed = (await admin.list()).find((u) => u.userId === bob.userId)!;
    expect(listed.failedLogins).toBe(5);
    expect(listed.lockedUntil).toBe(a.clock.now() + 60_000);
    const log = events(a.audit());
    const failures = log.filter((e) => e.id === '110114' && e.outcome === 4 && e.user === bob.userId);
    expect(failures.map((e) => e.detail['reason'])).toEqual(['badPassword', 'badPassword', 'badPassword', 'badPassword', 'badPassword', 'accountLocked', 'accountLocked']);
    expect(failures.every((e) => e.type === '110122' && e.userName === 'bob')).toBe(true);
    expect(log).toContainEqual(expect.objectContaining({ id: '110113', type: '110137', outcome: 0, user: 'system', objects: [expect.objectContaining({ id: bob.userId, name: 'bob' })], detail: expect.objectContaining({ op: 'accountLocked', failures: 5, lockedSeconds: 60 }) }));

    // Across a restart the lock holds (the counters are in keys.json, not in memory).
    a = await a.restart();
    expect(await codeOfAsync(a.auth.login({ username: 'bob', password: BOB.password }))).toBe('ACCOUNT_LOCKED');
    await a.auth.login({ username: 'alice', password: ADMIN.password });
    admin = new UserAdmin(a.auth);
    const unlocked = await admin.unlock(bob.userId);
    expect(unlocked).toMatchObject({ lockedUntil: null, failedLogins: 0 });
    const me = a.auth.principal()!.userId;
    expect(events(a.audit())).toContainEqual(expect.objectContaining({ id: '110113', type: '110137', outcome: 0, user: me, userName: 'alice', detail: { op: 'accountUnlocked' } }));
    await a.auth.logout();
    expect((await a.auth.login({ username: 'bob', password: BOB.password })).user?.username).toBe('bob');
    await a.close();
  });

  it('the lock runs out by the clock; the next failure locks again for twice as long; a success starts clean', async () => {
    const dataDir = path.join(t.root, 'd');
    let a = await openAccounts(dataDir, { policy: { LockoutThreshold: 3 } });
    await a.auth.setup(ADMIN);
    a = await a.restart();
    for (let i = 0; i < 3; i++) await codeOfAsync(a.auth.login({ username: 'alice', password: 'definitely wrong' }));
    expect(await codeOfAsync(a.auth.login({ username: 'alice', password: ADMIN.password }))).toBe('ACCOUNT_LOCKED');
    a.clock.advance(60_001);
    expect(await codeOfAsync(a.auth.login({ username: 'alice', password: 'definitely wrong' }))).toBe('AUTH_FAILED');
    a.clock.advance(60_001);
    expect(await codeOfAsync(a.auth.login({ username: 'alice', password: ADMIN.password }))).toBe('ACCOUNT_LOCKED');
    a.clock.advance(60_000);
    expect((await a.auth.login({ username: 'alice', password: ADMIN.password })).state).toBe('active');
    const w = await a.auth.wraps.byUser(a.auth.principal()!.userId);
    expect(w!.lockout).toEqual({ failures: 0, lockouts: 0, lockedUntil: null });
    await a.close();
  });
});
