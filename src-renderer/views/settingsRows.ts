// The settings screen's words: each policy setting as a labelled row (locked when IT set it), and the
// network state as sentences. Pure, so Node tests read exactly what the panel shows.
import type { ConnectionKind, SettingKey, SettingsStatus, SettingValue } from '../../src-shared/ipc/settingsStatus';

export interface SettingRow {
  key: SettingKey;
  label: string;
  value: string;
  /** Set by the organisation's policy: shown with a lock, not changeable here. */
  locked: boolean;
}

export interface SettingGroup {
  title: string;
  rows: SettingRow[];
}

type Format = (v: SettingValue) => string;

const onOff: Format = (v) => (v ? 'On' : 'Off');
const list = (none: string): Format => (v) => (Array.isArray(v) && v.length > 0 ? v.join(', ') : none);
const text = (none: string): Format => (v) => (v === null || v === '' ? none : String(v));
const count = (unit: string, units: string): Format => (v) => (typeof v === 'number' ? `${v} ${v === 1 ? unit : units}` : '—');
const minutes: Format = (v) => {
  if (typeof v !== 'number') return '—';
  if (v >= 120 && v % 60 === 0) return `${v / 60} hours`;
  return `${v} ${v === 1 ? 'minute' : 'minutes'}`;
};

const GROUPS: { title: string; keys: [SettingKey, string, Format][] }[] = [
  {
    title: 'Updates',
    keys: [
      ['UpdatesEnabled', 'Updates', onOff],
      ['UpdatesUrl', 'Update repository', text('None')],
      ['UpdatesChannel', 'Release channel', (v) => (v === 'beta' ? 'Beta' : 'Stable')],
      ['UpdatesAutoDownload', 'Download updates without asking', onOff],
      ['UpdatesAutoInstallOnQuit', 'Install updates when Enclave quits', onOff],
    ],
  },
  {
    title: 'Sign-in and sessions',
    keys: [
      ['IdleLockMinutes', 'Lock after inactivity', minutes],
      ['SessionLifetimeMinutes', 'Longest login', minutes],
      ['MfaRequiredRoles', 'Second factor required for', list('No role')],
      ['LockoutThreshold', 'Lock an account after', count('failed login', 'failed logins')],
      ['BreakGlassMinutes', 'Emergency access lasts', minutes],
    ],
  },
  {
    title: 'Studies and export',
    keys: [
      ['CacheRetentionDays', 'Remove studies not opened for', (v) => (typeof v === 'number' ? count('day', 'days')(v) : 'Never (kept until removed)')],
      ['QuickViewAllowed', 'Quick view (without importing)', (v) => (v ? 'Allowed' : 'Not allowed')],
      ['ExportAllowedRoles', 'Who may export', list('Nobody')],
      ['ExportRequiresDeidentification', 'Exports are de-identified', (v) => (v ? 'Always' : 'When chosen')],
      ['WatermarkText', 'Watermark on exported images', text('None')],
    ],
  },
  {
    title: 'Connections',
    keys: [
      ['AuditSyslogTarget', 'Forward the audit trail to', text('Not forwarded')],
      ['AuditSyslogCaFile', 'Audit receiver CA file', text('System certificates')],
      ['AuditSyslogClientCertFile', 'Audit client certificate file', text('None')],
      ['AuditSyslogClientKeyFile', 'Audit client key file', text('None')],
      ['PacsNodes', 'PACS nodes', list('None')],
    ],
  },
];

export function settingGroups(status: SettingsStatus): SettingGroup[] {
  const locked = new Set(status.policy.locked);
  return GROUPS.map((g) => ({
    title: g.title,
    rows: g.keys.map(([key, label, format]) => ({ key, label, value: format(status.policy.effective[key]), locked: locked.has(key) })),
  }));
}

const KIND_NAMES: Record<ConnectionKind, string> = {
  update: 'update checks',
  pacs: 'PACS query and retrieve',
  syslog: 'audit forwarding',
};

/** Which kinds of connection the policy allows, as a sentence. */
export function allowedConnectionsText(kinds: readonly ConnectionKind[]): string {
  if (kinds.length === 0) return 'None: Enclave makes no network connection.';
  const names = kinds.map((k) => KIND_NAMES[k]);
  const joined = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
  return `${joined[0]!.toUpperCase()}${joined.slice(1)}, as your organisation set.`;
}

export function attemptsText(attempts: number): string {
  return `${attempts} connection ${attempts === 1 ? 'attempt' : 'attempts'} since start`;
}

export function policySummary(p: SettingsStatus['policy']): string {
  switch (p.status) {
    case 'none':
      return 'No policy from your organisation: Enclave’s defaults apply.';
    case 'applied':
      return p.locked.length === 0 ? 'Your organisation’s policy applies; it sets nothing shown here.' : `Your organisation set ${p.locked.length} ${p.locked.length === 1 ? 'setting' : 'settings'}; ${p.locked.length === 1 ? 'it is' : 'they are'} locked.`;
    case 'refused':
    case 'malformed':
      return 'Your organisation’s policy could not be used, so every setting is locked down until IT fixes it.';
  }
}

const REFUSAL_WORDS: Record<string, string> = {
  policy_off: 'not allowed by policy',
  not_https: 'not https',
  host_not_allowed: 'address not allowed by policy',
  redirect: 'redirect refused',
  too_large: 'answer too large',
  timeout: 'no answer in time',
  tls_or_network: 'network or certificate failure',
  certificate: 'certificate not trusted',
  pin_mismatch: 'server key not the pinned one',
  tls_version: 'TLS older than 1.2 refused',
};

export function refusalText(r: SettingsStatus['network']['lastRefusals'][number]): string {
  return `${KIND_NAMES[r.kind][0]!.toUpperCase()}${KIND_NAMES[r.kind].slice(1)}: ${REFUSAL_WORDS[r.reason] ?? r.reason}`;
}

export function lastCheckText(u: SettingsStatus['updates']): string {
  if (!u.enabled) return 'Updates are off.';
  const c = u.lastCheck;
  if (!c) return 'No check yet since start.';
  switch (c.status) {
    case 'available':
      return `Version ${c.version ?? '?'} is available.`;
    case 'current':
      return 'Enclave is up to date.';
    case 'managed':
      return 'This installation is updated by your IT department.';
    case 'off':
      return 'Updates are off.';
    case 'refused':
      return `The last check was refused (${(c.reason ?? 'unknown').replaceAll('_', ' ')}).`;
  }
}
