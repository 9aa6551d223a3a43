// What the settings screen shows ('settings:status'): the machine policy that applies (and which of its
// settings IT locked), and the network state beside it — which kinds of connection policy allows and how
// many connection attempts the egress gate has seen since start (0 on a default install).
// The key names are the enterprise policy's own (the ADMX, plist and JSON use the same words).

export const SETTING_KEYS = [
  'UpdatesEnabled',
  'UpdatesUrl',
  'UpdatesChannel',
  'UpdatesAutoDownload',
  'UpdatesAutoInstallOnQuit',
  'IdleLockMinutes',
  'SessionLifetimeMinutes',
  'MfaRequiredRoles',
  'LockoutThreshold',
  'BreakGlassMinutes',
  'CacheRetentionDays',
  'QuickViewAllowed',
  'ExportAllowedRoles',
  'ExportRequiresDeidentification',
  'WatermarkText',
  'AuditSyslogTarget',
  'AuditSyslogCaFile',
  'AuditSyslogClientCertFile',
  'AuditSyslogClientKeyFile',
  'PacsNodes',
] as const;

export type SettingKey = (typeof SETTING_KEYS)[number];

/** A setting as shown: PACS nodes are listed by name and address (their CA certificates stay in main). */
export type SettingValue = boolean | number | string | string[] | null;

export type ConnectionKind = 'update' | 'pacs' | 'syslog';

export interface SettingsStatus {
  policy: {
    /** 'none': no machine policy, product defaults; 'refused' / 'malformed': everything locked down. */
    status: 'none' | 'applied' | 'refused' | 'malformed';
    /** Where it was read from (a path or a registry key), for IT. */
    source: string;
    /** Sentences for IT, empty when all is well. */
    problems: string[];
    /** Settings IT set: the user cannot change them ("Set by your organisation"). */
    locked: SettingKey[];
    effective: Record<SettingKey, SettingValue>;
  };
  network: {
    allowedKinds: ConnectionKind[];
    /** Connections the egress gate opened since the app started. */
    attempts: number;
    /** Requests it refused since start (each one audited). */
    refused: number;
    /** The most recent refusals, newest last: a short reason word, never an address. */
    lastRefusals: { kind: ConnectionKind; reason: string; at: string }[];
  };
  updates: {
    enabled: boolean;
    channel: 'stable' | 'beta';
    /** The last scheduled check since start, or null when none ran. */
    lastCheck: { at: string; status: 'off' | 'managed' | 'current' | 'available' | 'refused'; version?: string; reason?: string } | null;
  };
}
