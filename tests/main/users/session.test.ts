// The session over time, with a hand-driven clock (no timers): idle lock after IdleLockMinutes (10) from the last
// activity, the absolute lifetime (720 min) ending the session and closing the store, a manual lock unlocked only by
// the same user's password, and break-glass granting view for BreakGlassMinutes then expiring by itself. Each
// change is audited and announced (onChange), and decoded data is dropped (onSessionEnd).
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuthStatus } from '../../../src-shared/ipc/contract';
import { UserAdmin } from '../../../src-main/services/users/userAdmin';
import { codeOfAsync } from '../../tools/errorCode';
import { ADMIN, events, openAccounts, tempRoot, type Accounts } from './fixtures/accounts';

let t: ReturnType<typeof tempRoot>;
beforeEach(() => {
  t = tempRoot();
});
afterEach(() => t.cleanup());

const MIN = 60_000;

async function loggedIn(policy = {}): Promise<{ a: Accounts; changes: AuthStatus[]; ends: number[]; userId: string }> {
  let a = await openAccounts(path.join(t.root, 'd'), { policy });
  await a.auth.setup(ADMIN);
  a = await a.restart();
  const changes: AuthStatus[] = [];
  const ends: number[] = [];
  a.auth.onChange((s) => changes.push(s));
  a.auth.onSessionEnd(() => ends.push(a.clock.now()));
  await a.auth.login({ username: 'alice', password: ADMIN.password });
  return { a, changes, ends, userId: a.auth.principal()!.userId };
}

describe('session', () => {
  it('locks after 10 idle minutes counted from the last activity; the application is the requestor', async () => {
    const { a, changes, ends, userId } = await loggedIn();
    a.clock.advance(9 * MIN);
    expect(a.auth.activity().idleLockAt).toBe(a.clock.now() + 10 * MIN);
    a.clock.advance(9 * MIN);
    expect(a.auth.principal()).not.toBeNull();
    a.clock.advance(MIN);
    expect(a.auth.principal()).toBeNull();
    expect(a.auth.status()).toMatchObject({ state: 'locked', reason: 'idle', user: { username: 'alice' }, permissions: [] });
    expect(changes.at(-1)).toMatchObject({ state: 'locked', reason: 'idle' });
    expect(ends).toHaveLength(1);
    expect(a.auth.activity().idleLockAt).toBeNull();
    expect(a.cache.current().state).toBe('open');
    const logout = events(a.audit()).filter((e) => e.type === '110123');
    expect(logout).toEqual([expect.objectContaining({ id: '110114', outcome: 0, user: 'system', objects: [expect.objectContaining({ id: userId, name: 'alice' })], detail: { reason: 'idle' } })]);

    expect(await codeOfAsync(a.auth.unlock({ password: 'not alices password' }))).toBe('AUTH_FAILED');
    expect(await codeOfAsync(a.auth.login({ username: 'alice', password: ADMIN.password }))).toBe('INVALID_REQUEST');
    expect((await a.auth.unlock({ password: ADMIN.password })).state).toBe('active');
    expect(events(a.audit()).at(-1)).toMatchObject({ id: '110114', type: '110122', outcome: 0, user: userId, detail: { op: 'unlock', method: 'password' } });
    await a.close();
  });

  it('the absolute lifetime ends the session (logout by the application) and closes the store', async () => {
    const { a, changes, userId } = await loggedIn({ SessionLifetimeMinutes: 60 });
    for (let i = 0; i < 6; i++) {
      a.clock.advance(9 * MIN);
      a.auth.activity();
    }
    expect(a.auth.state()).toBe('active');
    const seqBefore = a.audit().at(-1)!.seq;
    const trail = a.cache.encrypted()!;
    a.clock.advance(6 * MIN);
    expect(a.auth.principal()).toBeNull();
    expect(a.auth.status()).toMatchObject({ state: 'login', user: null, reason: 'lifetime', sessionEndsAt: null });
    expect(changes.at(-1)).toMatchObject({ state: 'login', reason: 'lifetime' });
    await a.auth.logout(); // waits for the queued close
    expect(a.cache.encrypted()).toBeNull();
    expect(a.cache.dataKey()).toBeNull();
    // Read the trail back after a fresh login: the logout names the application as requestor.
    await a.auth.login({ username: 'alice', password: ADMIN.password });
    expect(trail).not.toBe(a.cache.encrypted());
    expect(events(a.audit(), seqBefore)).toContainEqual(expect.objectContaining({ id: '110114', type: '110123', user: 'system', detail: { reason: 'lifetime' }, objects: [expect.objectContaining({ id: userId })] }));
    await a.close();
  });

  it('a manual lock and a logout are the user\'s own logout events; logout closes the store', async () => {
    const { a, ends, userId } = await loggedIn();
    expect(a.auth.lock()).toMatchObject({ state: 'locked', reason: 'manual' });
    expect(ends).toHaveLength(1);
    expect(events(a.audit()).at(-1)).toMatchObject({ id: '110114', type: '110123', user: userId, userName: 'alice', detail: { reason: 'manual' } });
    const seq = a.audit().at(-1)!.seq;
    expect((await a.auth.logout()).state).toBe('login');
    expect(ends).toHaveLength(2);
    expect(a.cache.encrypted()).toBeNull();
    await a.auth.login({ username: 'alice', password: ADMIN.password });
    expect(events(a.audit(), seq)[0]).toMatchObject({ id: '110114', type: '110123', user: userId, detail: { reason: 'logout' } });
    await a.close();
  });

  it('break-glass gives an auditor view for 60 minutes, audited with the reason typed, then expires by the clock', async () => {
    const { a } = await loggedIn();
    const auditor = await new UserAdmin(a.auth).create({ username: 'carol', displayName: 'Carol Audit', role: 'auditor', password: 'carols long password' });
    await a.auth.logout();
    await a.auth.login({ username: 'carol', password: 'carols long password' });
    expect(a.auth.principal()!.permissions).toEqual(['readAudit', 'breakGlass']);
    const reason = 'Patient in resus, radiologist unreachable; need the CT from 2 March.';
    const st = a.auth.startBreakGlass(reason);
    expect(st.breakGlass).toEqual({ startedAt: a.clock.now(), until: a.clock.now() + 60 * MIN });
    expect(a.auth.principal()).toMatchObject({ breakGlass: true, permissions: ['view', 'readAudit', 'breakGlass'] });
    expect(events(a.audit()).at(-1)).toMatchObject({ id: '110113', type: '110127', outcome: 0, user: auditor.userId, userName: 'carol', detail: { op: 'breakGlassStarted', minutes: 60, statedReason: reason } });
    for (let i = 0; i < 6; i++) {
      a.clock.advance(9 * MIN);
      a.auth.activity();
    }
    a.clock.advance(6 * MIN);
    expect(a.auth.principal()).toMatchObject({ breakGlass: false, permissions: ['readAudit', 'breakGlass'] });
    expect(a.auth.status().breakGlass).toBeNull();
    expect(events(a.audit()).at(-1)).toMatchObject({ id: '110113', type: '110138', outcome: 0, user: 'system', detail: { op: 'breakGlassStopped', ended: 'expired', usedSeconds: 3600 } });
    // Started again and stopped by hand: the user is the requestor.
    a.auth.activity();
    a.auth.startBreakGlass(reason);
    a.clock.advance(5 * MIN);
    a.auth.stopBreakGlass();
    expect(events(a.audit()).at(-1)).toMatchObject({ id: '110113', type: '110138', user: auditor.userId, detail: { ended: 'manual', usedSeconds: 300 } });
    await a.close();
  });
});
