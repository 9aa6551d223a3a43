// The settings screen's words, from the status main sends: every policy key shown exactly once, locked
// exactly when policy set it, the network state in plain sentences (0 attempts on a default install).
import { describe, expect, it } from 'vitest';
import { settingsStatus } from '../../src-main/services/app/settingsStatus';
import { applyPolicy, noPolicy } from '../../src-main/services/policy/effectivePolicy';
import { parsePolicyJson } from '../../src-main/services/policy/policyFile';
import { POLICY_KEYS } from '../../src-main/services/policy/policySchema';
import { SETTING_KEYS } from '../../src-shared/ipc/settingsStatus';
import { allowedConnectionsText, attemptsText, lastCheckText, policySummary, settingGroups } from '../../src-renderer/views/settingsRows';

const rowsOf = (s: ReturnType<typeof settingsStatus>) => settingGroups(s).flatMap((g) => g.rows);

describe('settings rows', () => {
  it('the contract lists the policy schema\'s keys, and the screen shows each once', () => {
    expect([...SETTING_KEYS]).toEqual(POLICY_KEYS);
    expect(rowsOf(settingsStatus(noPolicy('t'), null)).map((r) => r.key).sort()).toEqual([...POLICY_KEYS].sort());
  });

  it('a default install: nothing locked, no connection allowed, 0 attempts', () => {
    const s = settingsStatus(noPolicy('t'), null);
    expect(rowsOf(s).filter((r) => r.locked)).toEqual([]);
    expect(allowedConnectionsText(s.network.allowedKinds)).toBe('None: Enclave makes no network connection.');
    expect(attemptsText(s.network.attempts)).toBe('0 connection attempts since start');
    expect(attemptsText(1)).toBe('1 connection attempt since start');
    expect(lastCheckText(s.updates)).toBe('Updates are off.');
    expect(policySummary(s.policy)).toBe('No policy from your organisation: Enclave’s defaults apply.');
  });

  it('what policy sets is locked and shown as set', () => {
    const s = settingsStatus(applyPolicy({
      UpdatesEnabled: true, UpdatesUrl: 'https://updates.example.org/enclave/', IdleLockMinutes: 5, SessionLifetimeMinutes: 480,
      MfaRequiredRoles: ['admin', 'radiologist'], QuickViewAllowed: false, AuditSyslogTarget: 'syslog.example.org:6514',
      AuditSyslogClientCertFile: '/etc/enclave/syslog-client.pem', AuditSyslogClientKeyFile: '/etc/enclave/syslog-client.key',
      PacsNodes: [{ name: 'Main PACS', aeTitle: 'PACS1', host: 'pacs.example.org', port: 11112, caPem: '-----BEGIN CERTIFICATE-----' }],
    }, 't'), null);
    const rows = new Map(rowsOf(s).map((r) => [r.key, r]));
    expect(rowsOf(s).filter((r) => r.locked).map((r) => r.key).sort()).toEqual(['AuditSyslogClientCertFile', 'AuditSyslogClientKeyFile', 'AuditSyslogTarget', 'IdleLockMinutes', 'MfaRequiredRoles', 'PacsNodes', 'QuickViewAllowed', 'SessionLifetimeMinutes', 'UpdatesEnabled', 'UpdatesUrl']);
    expect(rows.get('UpdatesEnabled')).toMatchObject({ value: 'On', locked: true });
    expect(rows.get('IdleLockMinutes')?.value).toBe('5 minutes');
    expect(rows.get('SessionLifetimeMinutes')?.value).toBe('8 hours');
    expect(rows.get('MfaRequiredRoles')?.value).toBe('admin, radiologist');
    expect(rows.get('QuickViewAllowed')?.value).toBe('Not allowed');
    expect(rows.get('PacsNodes')?.value).toBe('Main PACS (PACS1 at pacs.example.org:11112)');
    expect(rows.get('AuditSyslogCaFile')).toMatchObject({ value: 'System certificates', locked: false });
    // A node's CA certificate stays in main.
    expect(JSON.stringify(s)).not.toContain('BEGIN CERTIFICATE');
    expect(allowedConnectionsText(s.network.allowedKinds)).toBe('Update checks, PACS query and retrieve and audit forwarding, as your organisation set.');
    expect(lastCheckText(s.updates)).toBe('No check yet since start.');
    expect(policySummary(s.policy)).toBe('Your organisation set 10 settings; they are locked.');
  });

  it('an untrusted policy: everything locked down, and the screen says why', () => {
    const s = settingsStatus(parsePolicyJson('{ "UpdatesEnabled": ', '/etc/enclave/policy.json'), null);
    expect(rowsOf(s).every((r) => r.locked)).toBe(true);
    expect(rowsOf(s).find((r) => r.key === 'QuickViewAllowed')?.value).toBe('Not allowed');
    expect(s.policy.problems[0]).toContain('is not valid JSON');
    expect(policySummary(s.policy)).toContain('could not be used');
  });
});
