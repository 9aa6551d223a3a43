// The enterprise policy: what IT sets machine-wide (Windows registry, macOS managed preferences,
// Linux /etc/enclave/policy.json). One schema for all three, with the same key names everywhere so an
// administrator reads the same word in the ADMX, the plist and the JSON. Pure: no node, no electron, so
// the templates (ADMX/ADML, .mobileconfig) are generated from it and the settings screen can show it.
import { z } from 'zod';

/** Role names are short tokens; the auth issue owns the list, policy only names them. */
const role = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'a role is a short lowercase word');
const roles = z.array(role).max(16);

/** host or host:port; no scheme, no path (a syslog target is TLS syslog, RFC 5425). */
const hostPort = z.string().max(260).regex(/^[A-Za-z0-9.-]{1,253}(?::\d{1,5})?$/, 'host or host:port');

const aeTitle = z.string().regex(/^[ -~]{1,16}$/, 'an AE title is 1 to 16 printable ASCII characters');

/** Where a node's secret lives: an account name in the OS keychain (never the secret itself, never in a URL). */
const keychainAccount = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'a keychain account name: letters, digits, . _ -');

/** DICOMweb (QIDO-RS, WADO-RS) under one base URL; credentials come from the keychain, sent as a header. */
export const dicomwebSchema = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, hostname: /^[A-Za-z0-9.-]{1,253}$/, error: 'must be an http(s):// URL' })
    .max(2048)
    .refine((u) => !/^[a-z]+:\/\/[^/]*@/i.test(u), 'credentials never go in the URL: use auth and the keychain')
    .refine((u) => !u.includes('?') && !u.includes('#'), 'a base URL has no query or fragment')
    // Plain http only to this machine itself (a local TLS proxy, a test archive): on a network it is https.
    .refine((u) => u.startsWith('https:') || /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(u + '/'), 'https, unless the archive is on this machine (127.0.0.1)'),
  auth: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('basic'), username: z.string().regex(/^[^:\p{Cc}]{1,128}$/u, 'a user name without ":" or control characters'), secretKey: keychainAccount }),
      z.strictObject({ type: z.literal('bearer'), secretKey: keychainAccount }),
    ])
    .optional(),
});

/**
 * An absolute path to a PEM file deployed by IT (POSIX /..., Windows C:\... or \\server\share\...). Files rather than
 * PEM text in the policy: a registry or plist string holds one line, and policy is readable by every local user,
 * which a private key must not be.
 */
const pemFile = z
  .string()
  .max(1024)
  .regex(/^(?:\/|[A-Za-z]:\\|\\\\)[^\p{Cc}]*$/u, 'an absolute path to a PEM file');

/**
 * The inbound listener C-MOVE needs (the archive connects back to deliver): opt-in per node, open only while a C-MOVE
 * runs, bound to `bindAddress` (this machine only unless IT names an interface), and accepting only the node's own AE
 * title from the node's host. Plain DIMSE: the listener has no certificate of its own, so it is refused on a TLS node
 * (C-GET brings the same instances over the node's TLS association without any listener).
 */
export const pacsMoveListenerSchema = z.strictObject({
  aeTitle,
  port: z.number().int().min(1).max(65535),
  bindAddress: z
    .string()
    .regex(/^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/, 'an IPv4 address of this machine')
    // One interface, named: never every interface at once.
    .refine((a) => a !== '0.0.0.0', 'a specific address of this machine, not 0.0.0.0')
    .default('127.0.0.1'),
});

export type PacsMoveListener = z.infer<typeof pacsMoveListenerSchema>;

/**
 * A PACS node for query/retrieve: DICOMweb (`dicomweb`), DIMSE (`host`, `port`, `aeTitle` = the called AE), or both.
 * TLS on by default; `caPem` trusts the node's own CA (instead of the system's), `spkiSha256` pins its public key.
 * `moveListener` allows C-MOVE from this node (absent: C-GET only, and nothing ever listens).
 */
export const pacsNodeSchema = z
  .strictObject({
    name: z.string().regex(/^[^\p{Cc}]{1,64}$/u, '1 to 64 characters, no control characters'),
    aeTitle: aeTitle.optional(),
    callingAeTitle: aeTitle.optional(),
    host: z.string().regex(/^[A-Za-z0-9.-]{1,253}$/, 'a host name or IPv4 address').optional(),
    port: z.number().int().min(1).max(65535).optional(),
    tls: z.boolean().default(true),
    dicomweb: dicomwebSchema.optional(),
    caPem: z.string().max(16_384).regex(/-----BEGIN CERTIFICATE-----/, 'a PEM certificate').optional(),
    spkiSha256: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'base64 SHA-256 of the SubjectPublicKeyInfo (44 characters)').optional(),
    moveListener: pacsMoveListenerSchema.optional(),
  })
  .refine((n) => n.dicomweb !== undefined || (n.host !== undefined && n.port !== undefined && n.aeTitle !== undefined), {
    message: 'a node needs dicomweb, or host, port and aeTitle (DIMSE), or both',
  })
  .refine((n) => (n.host === undefined) === (n.port === undefined) && (n.host === undefined) === (n.aeTitle === undefined), {
    message: 'DIMSE needs host, port and aeTitle together',
  })
  .refine((n) => n.moveListener === undefined || n.host !== undefined, { message: 'moveListener is for C-MOVE: the node needs a DIMSE address' })
  .refine((n) => n.moveListener === undefined || !n.tls, { message: 'moveListener listens without TLS: on a TLS node use C-GET (tls: false to allow C-MOVE)' });

export type PacsNode = z.infer<typeof pacsNodeSchema>;

/**
 * Every key is optional: a key present in the machine's policy is applied and locked (the settings screen
 * shows it locked); a key absent keeps the product default (POLICY_DEFAULTS) and the user may change it.
 * Unknown keys are an error (a typo must not silently do nothing).
 */
export const policySchema = z.strictObject({
  UpdatesEnabled: z.boolean().optional().meta({ description: 'Allow Enclave to check for, download and install updates. Off unless set.' }),
  UpdatesUrl: z
    .url({ protocol: /^https$/, hostname: /^[A-Za-z0-9.-]{1,253}$/, error: 'must be an https:// URL' })
    .max(2048)
    .optional()
    .meta({ description: 'The TUF update repository (https only), e.g. https://updates.example.org/enclave/.' }),
  UpdatesChannel: z.enum(['stable', 'beta']).optional().meta({ description: 'Which release channel to follow.' }),
  UpdatesAutoDownload: z.boolean().optional().meta({ description: 'Download a verified update without asking (off unless set).' }),
  UpdatesAutoInstallOnQuit: z.boolean().optional().meta({ description: 'Install a verified, downloaded update when the app quits (off unless set).' }),
  IdleLockMinutes: z.number().int().min(1).max(240).optional().meta({ description: 'Lock the viewer after this many minutes without input.' }),
  SessionLifetimeMinutes: z.number().int().min(5).max(1440).optional().meta({ description: 'A login lasts at most this long.' }),
  MfaRequiredRoles: roles.optional().meta({ description: 'Roles that must use a second factor to log in.' }),
  LockoutThreshold: z.number().int().min(3).max(50).optional().meta({ description: 'Failed logins before an account is locked.' }),
  BreakGlassMinutes: z.number().int().min(5).max(1440).optional().meta({ description: 'How long emergency (break-glass) access lasts.' }),
  CacheRetentionDays: z.number().int().min(1).max(3650).optional().meta({ description: 'Studies not opened for this many days are purged from the cache.' }),
  QuickViewAllowed: z.boolean().optional().meta({ description: 'Allow viewing a CD or folder without importing it.' }),
  ExportAllowedRoles: roles.optional().meta({ description: 'Roles allowed to export images or studies.' }),
  ExportRequiresDeidentification: z.boolean().optional().meta({ description: 'Every export is de-identified.' }),
  WatermarkText: z.string().max(64).regex(/^[^\p{Cc}]*$/u, 'no control characters').optional().meta({ description: 'Text burned into exported images.' }),
  AuditSyslogTarget: hostPort.optional().meta({ description: 'Forward audit events to this TLS syslog server (host:port; port 6514 when left out). Needs AuditSyslogClientCertFile and AuditSyslogClientKeyFile.' }),
  AuditSyslogCaFile: pemFile.optional().meta({ description: 'PEM file of the CA that signs the syslog server certificate: only it is trusted for that server. Unset: the system CAs.' }),
  AuditSyslogClientCertFile: pemFile.optional().meta({ description: 'PEM file of this machine client certificate for the syslog server (mutual TLS).' }),
  AuditSyslogClientKeyFile: pemFile
    .optional()
    .meta({ description: 'PEM file (unencrypted) of the client certificate private key. On Linux and macOS it must be owned by root, not writable by others and not readable by all (e.g. root:enclave 0640); on Windows restrict it with an ACL.' }),
  PacsNodes: z
    .array(pacsNodeSchema)
    .max(32)
    .refine((nodes) => new Set(nodes.map((n) => n.name)).size === nodes.length, 'node names must be unique')
    .optional().meta({ description: 'PACS nodes Enclave may query and retrieve from (JSON list). A node with moveListener ({aeTitle, port, bindAddress}) also allows C-MOVE: Enclave then listens on that port only while a C-MOVE runs, for that node alone.' }),
});

export type Policy = z.infer<typeof policySchema>;
export type PolicyKey = keyof Policy;
export const POLICY_KEYS = Object.keys(policySchema.shape) as PolicyKey[];

/** The settings every key takes when nothing sets it: the product as shipped. The network stays off. */
export const POLICY_DEFAULTS = {
  UpdatesEnabled: false,
  UpdatesUrl: null as string | null,
  UpdatesChannel: 'stable' as 'stable' | 'beta',
  UpdatesAutoDownload: false,
  UpdatesAutoInstallOnQuit: false,
  IdleLockMinutes: 10,
  SessionLifetimeMinutes: 720,
  MfaRequiredRoles: [] as string[],
  LockoutThreshold: 5,
  BreakGlassMinutes: 60,
  CacheRetentionDays: null as number | null,
  QuickViewAllowed: true,
  ExportAllowedRoles: ['radiologist', 'physician', 'admin'] as string[],
  ExportRequiresDeidentification: false,
  WatermarkText: null as string | null,
  AuditSyslogTarget: null as string | null,
  AuditSyslogCaFile: null as string | null,
  AuditSyslogClientCertFile: null as string | null,
  AuditSyslogClientKeyFile: null as string | null,
  PacsNodes: [] as PacsNode[],
};

export type EffectivePolicy = typeof POLICY_DEFAULTS;

/**
 * What applies when a policy exists but cannot be trusted or read (malformed, wrongly owned): the
 * administrator meant to restrict something, so everything is restricted until the file is fixed.
 */
export const LOCKED_DOWN_POLICY: EffectivePolicy = {
  ...POLICY_DEFAULTS,
  IdleLockMinutes: 5,
  SessionLifetimeMinutes: 60,
  MfaRequiredRoles: ['admin', 'physician', 'radiologist'],
  LockoutThreshold: 3,
  BreakGlassMinutes: 15,
  QuickViewAllowed: false,
  ExportAllowedRoles: [],
  ExportRequiresDeidentification: true,
};
