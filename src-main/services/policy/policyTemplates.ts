// Deployment templates generated from the policy schema, as VS Code does: Windows ADMX + en-US ADML for
// Group Policy / Intune, and an example macOS configuration profile for MDM. `npm run policy:templates`
// writes them to assets/policy/; a test regenerates and compares, so they never drift from the schema.
import type { Policy } from './policySchema';
import { policyFields, type PolicyField } from './policyFields';
import { REGISTRY_POLICY_KEY } from './registryPolicy';

const NS = 'http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions';
const REG_KEY = REGISTRY_POLICY_KEY.replace('SOFTWARE', 'Software');

/** Every key set to a plausible value: the example profile, and a test that a full policy applies. */
export const EXAMPLE_POLICY: Required<Policy> = {
  UpdatesEnabled: true,
  UpdatesUrl: 'https://updates.example.org/enclave/',
  UpdatesChannel: 'stable',
  UpdatesAutoDownload: false,
  UpdatesAutoInstallOnQuit: false,
  IdleLockMinutes: 10,
  SessionLifetimeMinutes: 480,
  MfaRequiredRoles: ['admin', 'radiologist'],
  LockoutThreshold: 5,
  BreakGlassMinutes: 30,
  CacheRetentionDays: 90,
  QuickViewAllowed: true,
  ExportAllowedRoles: ['radiologist'],
  ExportRequiresDeidentification: true,
  WatermarkText: 'Example Hospital - internal use',
  AuditSyslogTarget: 'syslog.example.org:6514',
  AuditSyslogCaFile: '/etc/enclave/syslog-ca.pem',
  AuditSyslogClientCertFile: '/etc/enclave/syslog-client.pem',
  AuditSyslogClientKeyFile: '/etc/enclave/syslog-client.key',
  PacsNodes: [
    {
      name: 'Main PACS',
      aeTitle: 'PACS1',
      callingAeTitle: 'ENCLAVE',
      host: 'pacs.example.org',
      port: 11112,
      tls: true,
      dicomweb: { url: 'https://pacs.example.org/dicom-web', auth: { type: 'basic', username: 'enclave', secretKey: 'main-pacs' } },
    },
  ],
};

export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function category(f: PolicyField): string {
  return f.key.startsWith('Updates') ? 'Updates' : f.key.startsWith('Export') || f.key === 'WatermarkText' ? 'Export' : 'Security';
}

function admxElements(f: PolicyField): string {
  const id = f.key;
  switch (f.kind) {
    case 'boolean':
      return ''; // the policy's own enabledValue/disabledValue
    case 'integer':
      return `<elements><decimal id="${id}" valueName="${id}" minValue="${f.min}" maxValue="${f.max}" /></elements>`;
    case 'string':
      return `<elements><text id="${id}" valueName="${id}" maxLength="${f.maxLength}" /></elements>`;
    case 'enum':
      return `<elements><enum id="${id}" valueName="${id}">${f.values.map((v) => `<item displayName="$(string.${id}_${v})"><value><string>${xmlEscape(v)}</string></value></item>`).join('')}</enum></elements>`;
    case 'list':
      return `<elements><list id="${id}" key="${REG_KEY}\\${id}" valuePrefix="" /></elements>`;
    case 'json':
      return `<elements><multiText id="${id}" valueName="${id}" /></elements>`;
  }
}

export function admx(revision = '1.0'): string {
  const policies = policyFields().map((f) => {
    const presentation = f.kind === 'boolean' ? '' : ` presentation="$(presentation.${f.key})"`;
    const onOff = f.kind === 'boolean' ? `\n      <enabledValue><decimal value="1" /></enabledValue>\n      <disabledValue><decimal value="0" /></disabledValue>` : '';
    return `    <policy name="${f.key}" class="Machine" displayName="$(string.${f.key})" explainText="$(string.${f.key}_Explain)" key="${REG_KEY}"${f.kind === 'boolean' ? ` valueName="${f.key}"` : ''}${presentation}>
      <parentCategory ref="${category(f)}" />
      <supportedOn ref="Supported_0_1" />${onOff}${f.kind === 'boolean' ? '' : `\n      ${admxElements(f)}`}
    </policy>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<!-- Generated from src-main/services/policy/policySchema.ts by npm run policy:templates. Do not edit. -->
<policyDefinitions xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="${revision}" schemaVersion="1.0" xmlns="${NS}">
  <policyNamespaces>
    <target prefix="enclave" namespace="Enclave.Policies.Enclave" />
    <using prefix="windows" namespace="Microsoft.Policies.Windows" />
  </policyNamespaces>
  <resources minRequiredRevision="${revision}" />
  <supportedOn>
    <definitions>
      <definition name="Supported_0_1" displayName="$(string.Supported_0_1)" />
    </definitions>
  </supportedOn>
  <categories>
    <category name="Enclave" displayName="$(string.Enclave)" />
    <category name="Updates" displayName="$(string.Category_Updates)"><parentCategory ref="Enclave" /></category>
    <category name="Security" displayName="$(string.Category_Security)"><parentCategory ref="Enclave" /></category>
    <category name="Export" displayName="$(string.Category_Export)"><parentCategory ref="Enclave" /></category>
  </categories>
  <policies>
${policies.join('\n')}
  </policies>
</policyDefinitions>
`;
}

function presentation(f: PolicyField): string {
  const id = f.key;
  switch (f.kind) {
    case 'boolean':
      return '';
    case 'integer':
      return `<presentation id="${id}"><decimalTextBox refId="${id}" defaultValue="${f.min}">${id}</decimalTextBox></presentation>`;
    case 'string':
      return `<presentation id="${id}"><textBox refId="${id}"><label>${id}</label></textBox></presentation>`;
    case 'enum':
      return `<presentation id="${id}"><dropdownList refId="${id}">${id}</dropdownList></presentation>`;
    case 'list':
      return `<presentation id="${id}"><listBox refId="${id}">${id}</listBox></presentation>`;
    case 'json':
      return `<presentation id="${id}"><multiTextBox refId="${id}">${id} (JSON)</multiTextBox></presentation>`;
  }
}

export function adml(revision = '1.0'): string {
  const fields = policyFields();
  const strings: [string, string][] = [
    ['Enclave', 'Enclave'],
    ['Supported_0_1', 'Enclave 0.1 and later'],
    ['Category_Updates', 'Updates'],
    ['Category_Security', 'Security'],
    ['Category_Export', 'Export'],
  ];
  for (const f of fields) {
    strings.push([f.key, f.key], [`${f.key}_Explain`, f.description]);
    if (f.kind === 'enum') for (const v of f.values) strings.push([`${f.key}_${v}`, v]);
  }
  return `<?xml version="1.0" encoding="utf-8"?>
<!-- Generated from src-main/services/policy/policySchema.ts by npm run policy:templates. Do not edit. -->
<policyDefinitionResources xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="${revision}" schemaVersion="1.0" xmlns="${NS}">
  <displayName>Enclave</displayName>
  <description>Machine-wide policy for the Enclave DICOM viewer</description>
  <resources>
    <stringTable>
${strings.map(([id, text]) => `      <string id="${id}">${xmlEscape(text)}</string>`).join('\n')}
    </stringTable>
    <presentationTable>
${fields.map(presentation).filter(Boolean).map((p) => `      ${p}`).join('\n')}
    </presentationTable>
  </resources>
</policyDefinitionResources>
`;
}

function plistValue(v: unknown, indent: string): string {
  if (typeof v === 'boolean') return `${indent}<${v} />`;
  if (typeof v === 'number') return `${indent}<integer>${v}</integer>`;
  if (typeof v === 'string') return `${indent}<string>${xmlEscape(v)}</string>`;
  if (Array.isArray(v)) return `${indent}<array>\n${v.map((x) => plistValue(x, indent + '  ')).join('\n')}\n${indent}</array>`;
  return `${indent}<dict>\n${plistDictBody(v as Record<string, unknown>, indent + '  ')}\n${indent}</dict>`;
}

function plistDictBody(o: Record<string, unknown>, indent: string): string {
  return Object.entries(o).map(([k, v]) => `${indent}<key>${xmlEscape(k)}</key>\n${plistValue(v, indent)}`).join('\n');
}

/** An example configuration profile forcing every key in the app's preference domain (edit, then sign and deploy via MDM). */
export function mobileconfig(appId: string, policy: Policy = EXAMPLE_POLICY): string {
  const payload = {
    PayloadType: appId,
    PayloadIdentifier: `${appId}.policy.settings`,
    PayloadUUID: 'A6F2C0E4-5B1D-4C7A-9E3F-2D8B7C1A0E51',
    PayloadVersion: 1,
    PayloadDisplayName: 'Enclave settings',
    ...policy,
  };
  const profile = {
    PayloadContent: [payload],
    PayloadDisplayName: 'Enclave policy',
    PayloadDescription: 'Machine-wide settings for the Enclave DICOM viewer (example: edit the values).',
    PayloadIdentifier: `${appId}.policy`,
    PayloadOrganization: 'Example Hospital IT',
    PayloadScope: 'System',
    PayloadType: 'Configuration',
    PayloadUUID: '3C9D1F7A-8E24-4B6F-A1C5-0D7E9B2F4A63',
    PayloadVersion: 1,
  };
  return plistXml(profile);
}

/** A value as an XML property list (what `defaults` and MDM payloads use). */
export function plistXml(value: unknown): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
${plistValue(value, '')}
</plist>
`;
}
