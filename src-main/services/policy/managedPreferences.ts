// macOS machine policy: the forced preferences an MDM profile installs in /Library/Managed Preferences/
// (root-owned; a user cannot change them). Plists there may be binary, so the system's plutil converts
// them; the parser is a parameter so the decoding is tested off macOS.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { applyPolicy, noPolicy, untrustedPolicy, type LoadedPolicy } from './effectivePolicy';

export type PlistParser = (file: string) => Promise<unknown>;

export function managedPreferencesPath(appId: string): string {
  return `/Library/Managed Preferences/${appId}.plist`;
}

export const plutilParser: PlistParser = async (file) => {
  const { stdout } = await promisify(execFile)('/usr/bin/plutil', ['-convert', 'json', '-o', '-', '--', file], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as unknown;
};

export async function loadManagedPreferences(file: string, parse: PlistParser = plutilParser): Promise<LoadedPolicy> {
  if (!existsSync(file)) return noPolicy(file);
  let raw: unknown;
  try {
    raw = await parse(file);
  } catch (e) {
    return untrustedPolicy('malformed', file, [`${file} cannot be read as a property list: ${(e as Error).message}.`]);
  }
  // An MDM may leave its own Payload* bookkeeping beside the settings: not policy keys.
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) raw = Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith('Payload')));
  return applyPolicy(raw, file);
}
