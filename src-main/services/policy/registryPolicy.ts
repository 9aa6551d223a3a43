// Windows machine policy: HKLM\SOFTWARE\Policies\Enclave, as Group Policy (the ADMX) or Intune writes it.
// Only HKLM: a user can write HKCU, so a security setting read from there would be the user's choice.
// The registry is read through RegistryReader (native-reg in the packaged app), so the value decoding
// below is tested here, where no registry exists.
import { applyPolicy, noPolicy, untrustedPolicy, type LoadedPolicy } from './effectivePolicy';
import { policyFields } from './policyFields';

export const REGISTRY_POLICY_KEY = 'SOFTWARE\\Policies\\Enclave';

/** REG_DWORD/REG_QWORD as number, REG_SZ/REG_EXPAND_SZ as string, REG_MULTI_SZ as string[]. */
export type RegistryValue = number | string | string[];

export interface RegistryReader {
  /** The values of HKLM\<subkey>, or null when the key does not exist. */
  readHklm(subkey: string): Record<string, RegistryValue> | null;
}

export function loadRegistryPolicy(reader: RegistryReader): LoadedPolicy {
  const source = `HKLM\\${REGISTRY_POLICY_KEY}`;
  let values: Record<string, RegistryValue> | null;
  try {
    values = reader.readHklm(REGISTRY_POLICY_KEY);
  } catch (e) {
    return untrustedPolicy('refused', source, [`${source} cannot be read: ${(e as Error).message}.`]);
  }
  if (values === null) return noPolicy(source);
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  const known = new Set<string>();
  for (const f of policyFields()) {
    known.add(f.key);
    if (f.kind === 'list') {
      // ADMX <list> writes one value per item (named 1, 2, ...) under HKLM\...\Enclave\<Key>.
      const items = reader.readHklm(`${REGISTRY_POLICY_KEY}\\${f.key}`);
      if (items) raw[f.key] = Object.entries(items).sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => v);
      continue;
    }
    const v = values[f.key];
    if (v === undefined) continue;
    if (f.kind === 'boolean') raw[f.key] = v === 1 ? true : v === 0 ? false : v;
    else if (f.kind === 'json') {
      try {
        raw[f.key] = JSON.parse(Array.isArray(v) ? v.join('\n') : String(v));
      } catch {
        problems.push(`${f.key}: not valid JSON.`);
      }
    } else raw[f.key] = v;
  }
  for (const name of Object.keys(values)) if (!known.has(name)) raw[name] = values[name]; // unknown names are reported by the schema
  if (problems.length) return untrustedPolicy('malformed', source, problems);
  return applyPolicy(raw, source);
}

/** The packaged app's reader over native-reg (Windows only; loaded at run time, not bundled). */
export function nativeRegReader(): RegistryReader {
  interface NativeReg {
    HKLM: unknown;
    Access: { READ: number; WOW64_64KEY: number };
    openKey(root: unknown, subkey: string, access: number): unknown;
    enumValueNames(key: unknown): string[];
    queryValue(key: unknown, name: string): unknown;
    closeKey(key: unknown): void;
  }
  const moduleName = 'native-reg'; // a variable, so the bundler leaves it to run time
  const reg = require(moduleName) as NativeReg; // eslint-disable-line @typescript-eslint/no-require-imports
  return {
    readHklm(subkey) {
      const key = reg.openKey(reg.HKLM, subkey, reg.Access.READ | reg.Access.WOW64_64KEY);
      if (!key) return null;
      try {
        const out: Record<string, RegistryValue> = {};
        for (const name of reg.enumValueNames(key)) {
          const v = reg.queryValue(key, name);
          if (typeof v === 'number' || typeof v === 'string' || (Array.isArray(v) && v.every((s) => typeof s === 'string'))) out[name] = v as RegistryValue;
        }
        return out;
      } finally {
        reg.closeKey(key);
      }
    },
  };
}
