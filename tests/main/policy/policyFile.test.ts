// The Linux policy file with real files, real owners and real modes (tests run as root, so chown works):
// what IT sets applies and locks; a file a non-administrator could change is refused; a broken file gives
// a clear reason and the locked-down settings; `enclave policy check` says each of these.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicyFile } from '../../../src-main/services/policy/policyFile';
import { policyAuditEvent } from '../../../src-main/services/policy/policyAudit';
import { LOCKED_DOWN_POLICY, POLICY_DEFAULTS } from '../../../src-main/services/policy/policySchema';
import { auditEventProblem } from '../../../src-shared/audit/auditEvents';

const ROOT = mkdtempSync(path.join(tmpdir(), 'enclave-policy-'));
const REPO = path.resolve(__dirname, '../../..');
afterAll(() => rmSync(ROOT, { recursive: true, force: true }));

let n = 0;
/** A policy file in its own root-owned 0755 folder, like /etc/enclave/policy.json. */
function policyFile(text: string, mode = 0o644, dirMode = 0o755): string {
  const dir = path.join(ROOT, `etc${n++}`);
  mkdirSync(dir);
  chmodSync(dir, dirMode);
  const file = path.join(dir, 'policy.json');
  writeFileSync(file, text);
  chmodSync(file, mode);
  return file;
}

const VALID = JSON.stringify({ IdleLockMinutes: 7, ExportRequiresDeidentification: true, ExportAllowedRoles: ['radiologist'], UpdatesEnabled: false });

function enclavePolicyCheck(file: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO, 'src-main/cli/enclave.ts'), 'policy', 'check', file], { encoding: 'utf8', cwd: REPO });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('Linux machine policy file', () => {
  it('is not required: without one the product defaults apply and nothing is locked', async () => {
    const p = await loadPolicyFile(path.join(ROOT, 'absent', 'policy.json'));
    expect(p.status).toBe('none');
    expect(p.effective).toEqual(POLICY_DEFAULTS);
    expect(p.effective.UpdatesEnabled).toBe(false);
    expect(p.locked).toEqual([]);
  });

  it('applies a valid root-owned policy and locks exactly the keys it sets', async () => {
    const p = await loadPolicyFile(policyFile(VALID));
    expect(p.status).toBe('applied');
    expect(p.problems).toEqual([]);
    expect(p.effective.IdleLockMinutes).toBe(7);
    expect(p.effective.ExportRequiresDeidentification).toBe(true);
    expect(p.effective.ExportAllowedRoles).toEqual(['radiologist']);
    expect(p.effective.SessionLifetimeMinutes).toBe(POLICY_DEFAULTS.SessionLifetimeMinutes);
    expect([...p.locked].sort()).toEqual(['ExportAllowedRoles', 'ExportRequiresDeidentification', 'IdleLockMinutes', 'UpdatesEnabled']);
  });

  it.each([
    ['group-writable', 0o664, 0o755, 'writable by its group'],
    ['world-writable', 0o646, 0o755, 'writable by others'],
    ['in a group-writable folder', 0o644, 0o775, 'writable by its group'],
  ])('refuses a %s policy and locks everything down', async (_name, mode, dirMode, reason) => {
    const p = await loadPolicyFile(policyFile(JSON.stringify({ ExportAllowedRoles: ['radiologist', 'physician'], QuickViewAllowed: true }), mode, dirMode));
    expect(p.status).toBe('refused');
    expect(p.problems.join(' ')).toContain(reason);
    expect(p.effective).toEqual(LOCKED_DOWN_POLICY);
    expect(p.effective.QuickViewAllowed).toBe(false);
    expect(p.effective.ExportAllowedRoles).toEqual([]);
  });

  it('refuses a policy owned by another user, and a symbolic link', async () => {
    const file = policyFile(VALID);
    chownSync(file, 65534, 65534);
    const owned = await loadPolicyFile(file);
    expect(owned.status).toBe('refused');
    expect(owned.problems.join(' ')).toContain('owned by uid 65534, not root');

    const link = path.join(path.dirname(policyFile(VALID)), 'link.json');
    symlinkSync(path.join(path.dirname(link), 'policy.json'), link);
    const linked = await loadPolicyFile(link);
    expect(linked.status).toBe('refused');
    expect(linked.problems.join(' ')).toContain('symbolic link');
  });

  it.each([
    ['broken JSON', '{ "IdleLockMinutes": 7, }', 'not valid JSON'],
    ['an unknown (misspelt) key', '{ "IdleLockMinute": 7 }', 'unknown key(s) IdleLockMinute'],
    ['a plain-http update URL', '{ "UpdatesEnabled": true, "UpdatesUrl": "http://updates.example.org/" }', 'UpdatesUrl: must be an https:// URL'],
    ['a value out of range', '{ "IdleLockMinutes": 0 }', 'IdleLockMinutes'],
    ['a wrong type', '{ "QuickViewAllowed": "yes" }', 'QuickViewAllowed'],
  ])('gives a clear error and the locked-down settings for %s', async (_name, text, reason) => {
    const p = await loadPolicyFile(policyFile(text));
    expect(p.status).toBe('malformed');
    expect(p.problems.join(' ')).toContain(reason);
    expect(p.effective).toEqual(LOCKED_DOWN_POLICY);
    expect(p.effective.UpdatesEnabled).toBe(false);
  });

  it('keeps updates off when enabled without a repository', async () => {
    const p = await loadPolicyFile(policyFile('{ "UpdatesEnabled": true }'));
    expect(p.status).toBe('applied');
    expect(p.effective.UpdatesEnabled).toBe(false);
    expect(p.problems.join(' ')).toContain('UpdatesUrl is not set');
  });

  it('audits a change of policy and every untrusted policy, with a digest only', async () => {
    const a = await loadPolicyFile(policyFile(VALID));
    const b = await loadPolicyFile(policyFile(JSON.stringify({ IdleLockMinutes: 8 })));
    const bad = await loadPolicyFile(policyFile('{'));
    expect(policyAuditEvent(a, a.digest)).toBeNull();
    const changed = policyAuditEvent(b, a.digest)!;
    expect(changed).toMatchObject({ kind: 'securityAlert', eventType: 'securityConfiguration', outcome: 'success' });
    expect(changed.detail).toMatchObject({ policyDigest: b.digest, previousDigest: a.digest });
    expect(policyAuditEvent(bad, bad.digest)).toMatchObject({ outcome: 'seriousFailure', detail: { policyStatus: 'malformed' } });
    for (const e of [changed, policyAuditEvent(bad, null)!]) expect(auditEventProblem(e)).toBeNull();
  });

  it('`enclave policy check` reports valid, refused and malformed files with their settings', () => {
    const valid = enclavePolicyCheck(policyFile(VALID));
    expect(valid.status, valid.out).toBe(0);
    expect(valid.out).toContain('valid: applied');
    expect(valid.out).toMatch(/IdleLockMinutes\s+7\s+\(locked by policy\)/);
    expect(valid.out).toMatch(/SessionLifetimeMinutes\s+720\n/);

    const writable = enclavePolicyCheck(policyFile(VALID, 0o666));
    expect(writable.status).toBe(1);
    expect(writable.out).toContain('REFUSED');
    expect(writable.out).toContain('writable by others (mode 666)');

    const broken = enclavePolicyCheck(policyFile('{"IdleLockMinutes": 7'));
    expect(broken.status).toBe(1);
    expect(broken.out).toContain('INVALID');
    expect(broken.out).toContain('not valid JSON');
    expect(broken.out).toMatch(/QuickViewAllowed\s+false\s+\(locked by policy\)/);
  });
});
