// The encrypted package opens with 7-Zip and the password, fails without it, and holds AES-256 entries.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportEncryptedZip } from '../../../src-main/services/export/encryptedZipExport';
import { DATA, requireTool, tmpDir } from '../../shared/deid/deidTestKit';
import { testDeps } from './exportKit';

const PASSWORD = 'correct horse battery';

describe('AES-256 encrypted zip export', () => {
  const dir = path.join(DATA, 'phantoms/ct-axial');
  const inputs = fs.readdirSync(dir).sort().slice(0, 3).map((f) => path.join(dir, f));
  let zip: string;
  let deps: ReturnType<typeof testDeps>;

  beforeAll(async () => {
    requireTool('7z');
    zip = path.join(tmpDir('zip'), 'package.zip');
    deps = testDeps();
    await exportEncryptedZip(inputs, zip, PASSWORD, {}, deps);
  });

  it('lists AES-256 entries', () => {
    const r = spawnSync('7z', ['l', '-slt', `-p${PASSWORD}`, zip], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const methods = r.stdout.split('\n').filter((l) => l.startsWith('Method = '));
    expect(methods).toHaveLength(4);
    for (const m of methods) expect(m).toMatch(/AES-256/);
    expect(r.stdout).toMatch(/Path = DICOMDIR/);
  });

  it('extracts with the password: a DICOMDIR and the de-identified files', () => {
    const out = tmpDir('unzip');
    const r = spawnSync('7z', ['x', `-p${PASSWORD}`, `-o${out}`, zip], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const dicomdir = fs.readFileSync(path.join(out, 'DICOMDIR'));
    expect(dicomdir.subarray(128, 132).toString('latin1')).toBe('DICM');
    const first = fs.readFileSync(path.join(out, 'DICOM/PT000001/ST000001/SE000001/IM000001'));
    expect(first.includes(Buffer.from('1.2.826.0.1.3680043.10.1234'))).toBe(false);
  });

  it('fails with a wrong password and without one', () => {
    const wrong = spawnSync('7z', ['x', '-pnot-the-password', `-o${tmpDir('wrong')}`, zip], { encoding: 'utf8' });
    expect(wrong.status).not.toBe(0);
    const none = spawnSync('7z', ['x', `-o${tmpDir('none')}`, zip], { encoding: 'utf8', input: '' });
    expect(none.status).not.toBe(0);
  });

  it('is not readable as plain text and is audited', () => {
    const bytes = fs.readFileSync(zip);
    expect(bytes.includes(Buffer.from('DICM'))).toBe(false);
    expect(deps.events[0]).toMatchObject({ outcome: 'success', detail: { exportKind: 'export.encryptedZip', encryption: 'AES-256', files: 3 } });
  });

  it('refuses a short password', async () => {
    await expect(exportEncryptedZip(inputs, path.join(tmpDir('short'), 'p.zip'), 'short', {}, testDeps())).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });
});
