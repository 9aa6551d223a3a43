// Windows registry and macOS managed preferences decode to the same policy as the JSON file, and the
// deployment templates (ADMX/ADML, .mobileconfig) are generated from the schema, are well-formed XML and
// agree with it. The registry cannot exist here: it is the one thing read through a stand-in.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadManagedPreferences } from '../../../src-main/services/policy/managedPreferences';
import { loadMachinePolicy } from '../../../src-main/services/policy/machinePolicy';
import { policyFields } from '../../../src-main/services/policy/policyFields';
import { LOCKED_DOWN_POLICY, POLICY_KEYS } from '../../../src-main/services/policy/policySchema';
import { EXAMPLE_POLICY, plistXml } from '../../../src-main/services/policy/policyTemplates';
import { loadRegistryPolicy, type RegistryReader, type RegistryValue } from '../../../src-main/services/policy/registryPolicy';
import { POLICY_TEMPLATE_DIR, policyTemplateFiles } from '../../../scripts/policyTemplates';

const plist = createRequire(import.meta.url)('plist') as { parse(xml: string): unknown };
const TMP = mkdtempSync(path.join(tmpdir(), 'enclave-mdm-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** HKLM as Group Policy would leave it after the ADMX is applied: keys -> values. */
function registry(keys: Record<string, Record<string, RegistryValue>>): RegistryReader & { read: string[] } {
  const read: string[] = [];
  return { read, readHklm: (k) => (read.push(k), keys[k] ?? null) };
}

describe('Windows policy (HKLM\\SOFTWARE\\Policies\\Enclave)', () => {
  it('decodes DWORDs, strings, lists (subkeys) and JSON (multi-string) as Group Policy writes them', () => {
    const reg = registry({
      'SOFTWARE\\Policies\\Enclave': {
        UpdatesEnabled: 1,
        UpdatesUrl: 'https://updates.example.org/enclave/',
        UpdatesChannel: 'beta',
        QuickViewAllowed: 0,
        IdleLockMinutes: 10,
        PacsNodes: ['[{"name":"Main","aeTitle":"PACS1",', '"host":"pacs.example.org","port":11112}]'],
      },
      'SOFTWARE\\Policies\\Enclave\\ExportAllowedRoles': { '2': 'physician', '1': 'radiologist' },
    });
    const p = loadRegistryPolicy(reg);
    expect(p.status, p.problems.join()).toBe('applied');
    expect(p.effective).toMatchObject({ UpdatesEnabled: true, UpdatesChannel: 'beta', QuickViewAllowed: false, IdleLockMinutes: 10, ExportAllowedRoles: ['radiologist', 'physician'] });
    expect(p.effective.PacsNodes).toEqual([{ name: 'Main', aeTitle: 'PACS1', host: 'pacs.example.org', port: 11112, tls: true }]);
    expect(reg.read.every((k) => k.startsWith('SOFTWARE\\Policies\\Enclave'))).toBe(true);
  });

  it('locks down on a value of the wrong kind, an unknown value name, or an unreadable registry', async () => {
    const bad: Record<string, RegistryValue>[] = [{ UpdatesEnabled: 2 }, { IdleLockMinutes: '10' }, { PacsNodes: '[{' }, { ExportRoles: 'x' }];
    for (const values of bad) {
      const p = loadRegistryPolicy(registry({ 'SOFTWARE\\Policies\\Enclave': values }));
      expect(p.status, JSON.stringify(values)).toBe('malformed');
      expect(p.effective).toEqual(LOCKED_DOWN_POLICY);
    }
    expect(loadRegistryPolicy(registry({})).status).toBe('none');
    const missingReader = await loadMachinePolicy('win32', () => { throw new Error('native-reg is not installed'); });
    expect(missingReader).toMatchObject({ status: 'refused', effective: LOCKED_DOWN_POLICY });
  });
});

describe('macOS policy (managed preferences)', () => {
  const xmlParser = async (f: string) => plist.parse(readFileSync(f, 'utf8'));

  it('applies the example configuration profile as an MDM installs it', async () => {
    const profile = plist.parse(readFileSync(path.join(POLICY_TEMPLATE_DIR, 'org.enclave.viewer.mobileconfig'), 'utf8')) as { PayloadContent: Record<string, unknown>[] };
    const forced = path.join(TMP, 'org.enclave.viewer.plist');
    // The managed preferences file holds the payload's keys (the Payload* bookkeeping is ignored).
    writeFileSync(forced, plistXml(profile.PayloadContent[0]));
    const p = await loadManagedPreferences(forced, xmlParser);
    expect(p.status, p.problems.join()).toBe('applied');
    expect(p.effective).toMatchObject(EXAMPLE_POLICY);
    expect([...p.locked].sort()).toEqual([...POLICY_KEYS].sort());
    expect(profile.PayloadContent[0]!['PayloadType']).toBe('org.enclave.viewer');
  });

  it('locks down on a plist that does not parse or does not validate', async () => {
    const junk = path.join(TMP, 'junk.plist');
    writeFileSync(junk, '<plist><dict><key>IdleLockMinutes</key><integer>7</integer></dict></plist><extra/>');
    expect((await loadManagedPreferences(junk, async () => { throw new Error('plutil: unexpected element'); })).status).toBe('malformed');
    writeFileSync(junk, '<?xml version="1.0"?><plist version="1.0"><dict><key>IdleLockMinutes</key><string>ten</string></dict></plist>');
    const p = await loadManagedPreferences(junk, xmlParser);
    expect(p.status).toBe('malformed');
    expect(p.problems.join()).toContain('IdleLockMinutes');
    expect((await loadManagedPreferences(path.join(TMP, 'none.plist'), xmlParser)).status).toBe('none');
  });
});

describe('deployment templates', () => {
  it('are what the schema generates (npm run policy:templates)', () => {
    for (const [name, text] of Object.entries(policyTemplateFiles())) expect(readFileSync(path.join(POLICY_TEMPLATE_DIR, name), 'utf8'), name).toBe(text);
  });

  it('are well-formed XML (xmllint)', () => {
    for (const f of ['enclave.admx', 'en-US/enclave.adml', 'org.enclave.viewer.mobileconfig']) {
      execFileSync('xmllint', ['--noout', '--nonet', path.join(POLICY_TEMPLATE_DIR, f)]);
    }
    expect(() => execFileSync('xmllint', ['--noout', '-'], { input: '<policyDefinitions><policy></policyDefinitions>', stdio: 'pipe' })).toThrow();
  });

  it('define every key once, with every string and presentation the ADMX refers to in the ADML', () => {
    const admx = readFileSync(path.join(POLICY_TEMPLATE_DIR, 'enclave.admx'), 'utf8');
    const adml = readFileSync(path.join(POLICY_TEMPLATE_DIR, 'en-US/enclave.adml'), 'utf8');
    expect([...admx.matchAll(/<policy name="(\w+)"/g)].map((m) => m[1])).toEqual(POLICY_KEYS);
    const strings = new Set([...adml.matchAll(/<string id="(\w+)">/g)].map((m) => m[1]));
    const presentations = new Set([...adml.matchAll(/<presentation id="(\w+)">/g)].map((m) => m[1]));
    for (const [, id] of admx.matchAll(/\$\(string\.(\w+)\)/g)) expect(strings.has(id), id).toBe(true);
    for (const [, id] of admx.matchAll(/\$\(presentation\.(\w+)\)/g)) expect(presentations.has(id), id).toBe(true);
    // Every element a presentation refers to exists in the ADMX with that id.
    for (const [, id] of adml.matchAll(/refId="(\w+)"/g)) expect(admx).toContain(`id="${id}"`);
    // HKLM only: every policy is a machine policy under Software\Policies\Enclave.
    expect(admx.match(/class="(\w+)"/g)!.every((c) => c === 'class="Machine"')).toBe(true);
    expect(policyFields().find((f) => f.key === 'IdleLockMinutes')).toMatchObject({ kind: 'integer', min: 1, max: 240 });
  });
});
