// The accounts channels through the real dispatcher and composition (createAppServices with an AuthSession over the
// encrypted cache): first-run setup, the 'auth:changed' event, and a lock that drops every decoded series in main
// (a pixel request for a series open before the lock finds nothing).
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppServices } from '../../../src-main/services/app/appServices';
import { createNodeCodecs } from '../../../src-main/services/codecs/nodeCodecs';
import type { AuthStatus, SeriesView } from '../../../src-shared/ipc/contract';
import { ADMIN, openAccounts, tempRoot } from './fixtures/accounts';

const PHANTOMS = path.resolve(__dirname, '../../../../shared/data/phantoms');
const sender = { url: 'app://enclave/index.html', isTopFrame: true };

let t: ReturnType<typeof tempRoot>;
beforeEach(() => {
  t = tempRoot();
});
afterEach(() => t.cleanup());

describe('accounts channels', () => {
  it('setup, login state, lock drops decoded series, and every change is announced', async () => {
    const a = await openAccounts(path.join(t.root, 'd'));
    const emitted: [string, unknown][] = [];
    const services = createAppServices({
      cache: a.cache, storeKind: 'encrypted', codecs: await createNodeCodecs(),
      dialogs: { chooseFolder: async () => null }, events: { emit: (name, payload) => emitted.push([name, payload]) },
      rendererDir: '/nonexistent', version: 't', auth: a.auth,
    });
    const call = async <T>(channel: string, request: unknown = {}) => {
      const r = await services.dispatch(channel, request, sender);
      if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
      return r.value as T;
    };
    expect((await call<AuthStatus>('auth:status')).state).toBe('setup');
    expect(await services.dispatch('auth:setup', { ...ADMIN, password: 'too short' }, sender)).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    const setup = await call<{ status: AuthStatus; recoveryKey: string | null }>('auth:setup', ADMIN);
    expect(setup.status.state).toBe('active');
    expect(setup.recoveryKey).toMatch(/^[0-9A-Z-]{65}$/);
    expect(emitted.filter(([n]) => n === 'auth:changed').at(-1)![1]).toMatchObject({ state: 'active' });
    expect(services.auth.principal()).toMatchObject({ username: 'alice', role: 'admin' });

    await call('import:paths', { paths: [path.join(PHANTOMS, 'mr-sagittal')] });
    const [study] = await call<{ studyId: string }[]>('studies:list');
    const [series] = await call<{ seriesId: string }[]>('series:list', { studyId: study!.studyId });
    const view = await call<SeriesView>('series:open', { seriesId: series!.seriesId });
    expect((await services.appProtocol(new Request(`app://enclave/${view.pixelPath}/0`))).status).toBe(200);

    const locked = await call<AuthStatus>('auth:lock');
    expect(locked).toMatchObject({ state: 'locked', reason: 'manual', permissions: [] });
    expect(emitted.filter(([n]) => n === 'auth:changed').at(-1)![1]).toMatchObject({ state: 'locked' });
    // Locked: the guard refuses pixels (403) before the series service, which has also dropped the series.
    expect((await services.appProtocol(new Request(`app://enclave/${view.pixelPath}/0`))).status).toBe(403);
    expect(await services.dispatch('auth:unlock', { password: 'wrong password here' }, sender)).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED' } });
    expect((await call<AuthStatus>('auth:unlock', { password: ADMIN.password })).state).toBe('active');
    // The lock closed the series in main too: after unlocking the renderer must open it again.
    expect((await services.appProtocol(new Request(`app://enclave/${view.pixelPath}/0`))).status).toBe(404);
    expect((await call<{ idleLockAt: number }>('auth:activity')).idleLockAt).toBe(a.clock.now() + 10 * 60_000);
    const users = await call<{ username: string }[]>('users:list');
    expect(users.map((u) => u.username)).toEqual(['alice']);
    expect((await call<AuthStatus>('auth:logout')).state).toBe('login');
    await services.series.close();
    await a.close();
  });
});
