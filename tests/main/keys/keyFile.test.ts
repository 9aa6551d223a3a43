// The key file and the store's handling of damaged or missing key material, on real files.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initStore, openStore } from '../../../src-main/services/store/openStore';
import { codeOfAsync } from '../../tools/errorCode';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'enclave-kf-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** What opening gives, closing what it opened (each assertion opens the store anew). */
function codeOf(p: Promise<unknown>): Promise<string> {
  return codeOfAsync(p.then(async (v) => {
    if (v && typeof v === 'object' && 'close' in v) await (v as { close(): Promise<void> }).close();
  }));
}

describe('key file', () => {
  it('holds only wraps, is mode 0600, and init refuses to overwrite an existing store', async () => {
    const dataDir = path.join(root, 'd');
    const { recoveryKey } = await initStore({ dataDir, keyStore: null });
    const text = readFileSync(path.join(dataDir, 'keys.json'), 'utf8');
    const kf = JSON.parse(text) as { wraps: { type: string; kdf: { name: string } }[] };
    expect(kf.wraps).toHaveLength(1);
    expect(kf.wraps[0]!.type).toBe('recovery');
    expect(kf.wraps[0]!.kdf.name).toBe('scrypt');
    expect(text).not.toContain(recoveryKey.replace(/-/g, ''));
    const { statSync } = await import('node:fs');
    expect(statSync(path.join(dataDir, 'keys.json')).mode & 0o777).toBe(0o600);
    expect(await codeOf(initStore({ dataDir, keyStore: null }))).toBe('STORE_EXISTS');
    expect(await codeOf(openStore({ dataDir, keyStore: null, recoveryKey }))).toBe('no error');
  });

  it('a missing or damaged key file is DB_KEY_UNAVAILABLE, never a fresh key; an empty directory is STORE_NOT_INITIALIZED', async () => {
    const dataDir = path.join(root, 'd');
    expect(await codeOf(openStore({ dataDir, keyStore: null }))).toBe('STORE_NOT_INITIALIZED');
    const { recoveryKey } = await initStore({ dataDir, keyStore: null });
    const keys = path.join(dataDir, 'keys.json');
    const good = readFileSync(keys);
    const kf = JSON.parse(good.toString('utf8')) as { wraps: { ct: string }[] };
    const ct = Buffer.from(kf.wraps[0]!.ct, 'base64');
    ct[0] = ct[0]! ^ 1;
    kf.wraps[0]!.ct = ct.toString('base64');
    writeFileSync(keys, JSON.stringify(kf));
    expect(await codeOf(openStore({ dataDir, keyStore: null, recoveryKey }))).toBe('RECOVERY_KEY_INVALID');
    writeFileSync(keys, '{ not json');
    expect(await codeOf(openStore({ dataDir, keyStore: null, recoveryKey }))).toBe('DB_KEY_UNAVAILABLE');
    rmSync(keys);
    expect(await codeOf(openStore({ dataDir, keyStore: null, recoveryKey }))).toBe('DB_KEY_UNAVAILABLE');
    writeFileSync(keys, good);
    expect(await codeOf(openStore({ dataDir, keyStore: null, recoveryKey }))).toBe('no error');
  });
});
