// The installer step after verification: an AppImage is replaced whole (executable, same path) by exactly
// the verified bytes; MSI, deb, macOS and development copies have no self-install step.
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { installStep, replaceAppImage } from '../../../src-main/services/network/updates/installSteps';

describe('update installer steps', () => {
  it('replaces the running AppImage atomically with the verified file, executable', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'enclave-appimage-'));
    const current = path.join(dir, 'Enclave.AppImage');
    const verified = path.join(mkdtempSync(path.join(tmpdir(), 'enclave-dl-')), 'Enclave-1.1.0.AppImage');
    writeFileSync(current, 'old', { mode: 0o755 });
    writeFileSync(verified, 'new release bytes', { mode: 0o600 });
    await installStep('appimage', { APPIMAGE: current })!(verified);
    expect(readFileSync(current, 'utf8')).toBe('new release bytes');
    expect(statSync(current).mode & 0o777).toBe(0o755);
    expect(readdirSync(dir)).toEqual(['Enclave.AppImage']);
    await expect(replaceAppImage(path.join(dir, 'missing-dir', 'x.AppImage'), verified)).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('has no self-install step for MSI, deb, macOS or a development copy', () => {
    for (const kind of ['msi', 'deb', 'dmg', 'dev'] as const) expect(installStep(kind, {}), kind).toBeNull();
    expect(installStep('appimage', {})).toBeNull(); // not running from an AppImage
  });
});
