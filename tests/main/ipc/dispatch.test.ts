import { describe, expect, it } from 'vitest';
import { createDispatcher, isTrustedSender, type Handlers } from '../../../src-main/services/ipc/dispatch';
import { AppError } from '../../../src-shared/errors';

const calls: unknown[] = [];
const handlers = {
  'app:info': async () => ({ name: 'Enclave', version: '1', storeKind: 'memory' as const }),
  'studies:list': async () => [],
  'import:chooseFolder': async () => null,
  'import:cancel': async () => ({ cancelled: false }),
  'series:list': async (r: { studyId: string }) => { calls.push(r); throw new AppError('NOT_FOUND', 'Study not found.'); },
  'series:open': async () => { throw new Error('boom with /secret/path and Phantom^Patricia'); },
} as unknown as Handlers;

const dispatch = createDispatcher(handlers, { appOrigin: 'app://enclave' });
const top = { url: 'app://enclave/index.html', isTopFrame: true };

describe('dispatch', () => {
  it('answers valid requests from the app top frame with an ok envelope', async () => {
    expect(await dispatch('app:info', {}, top)).toEqual({ ok: true, value: { name: 'Enclave', version: '1', storeKind: 'memory' } });
  });

  it('refuses other origins and sub-frames before looking at the request', async () => {
    for (const sender of [
      { url: 'https://evil.example/', isTopFrame: true },
      { url: 'app://enclave/index.html', isTopFrame: false },
      { url: 'app://other/index.html', isTopFrame: true },
      { url: 'file:///index.html', isTopFrame: true },
      { url: '', isTopFrame: true },
    ]) {
      const r = await dispatch('app:info', {}, sender);
      expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } });
    }
  });

  it('rejects unknown channels and invalid requests with typed errors', async () => {
    expect(await dispatch('fs:readFile', { path: '/etc/passwd' }, top)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    expect(await dispatch('__proto__', {}, top)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    expect(await dispatch('app:info', { extra: 1 }, top)).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    expect(await dispatch('series:list', { studyId: '../../x' }, top)).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    expect(await dispatch('series:list', { studyId: 'a'.repeat(65) }, top)).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    expect(calls).toEqual([]);
  });

  it('passes AppErrors through and hides the text of unexpected ones', async () => {
    expect(await dispatch('series:list', { studyId: 'abc' }, top)).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'Study not found.' } });
    const r = await dispatch('series:open', { seriesId: 'abc' }, top);
    expect(r).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(r)).not.toContain('Phantom');
    expect(JSON.stringify(r)).not.toContain('/secret');
  });

  it('trusts senders by scheme and host', () => {
    expect(isTrustedSender({ url: 'https://enclave.test/index.html', isTopFrame: true }, 'https://enclave.test')).toBe(true);
    expect(isTrustedSender({ url: 'https://enclave.test.evil.example/', isTopFrame: true }, 'https://enclave.test')).toBe(false);
  });
});
