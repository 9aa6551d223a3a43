// Enclave's own rules for electron-builder.yml, beyond electron-builder's schema: what hospital IT and
// the security review rely on. Returns the broken rules as sentences (empty when the file is right).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export type BuilderConfig = Record<string, unknown> & {
  electronFuses?: Record<string, boolean>;
  win?: { target?: unknown; signtoolOptions?: unknown; azureSignOptions?: unknown };
  msi?: { perMachine?: boolean; upgradeCode?: string };
  nsis?: { perMachine?: boolean };
  mac?: { target?: unknown; hardenedRuntime?: boolean; entitlements?: string; notarize?: unknown };
  linux?: { target?: unknown };
  files?: string[];
  asar?: boolean;
  asarUnpack?: string[];
  publish?: unknown;
};

/** The fuses every release ships with (DESIGN: no Node in the browser process by the back door). */
export const REQUIRED_FUSES: Record<string, boolean> = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  onlyLoadAppFromAsar: true,
  enableEmbeddedAsarIntegrityValidation: true,
  enableCookieEncryption: true,
  grantFileProtocolExtraPrivileges: false,
};

export function loadBuilderConfig(file: string): BuilderConfig {
  const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
  return yaml.load(readFileSync(file, 'utf8')) as BuilderConfig;
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);

export function builderConfigProblems(c: BuilderConfig): string[] {
  const p: string[] = [];
  for (const [fuse, value] of Object.entries(REQUIRED_FUSES)) if (c.electronFuses?.[fuse] !== value) p.push(`electronFuses.${fuse} must be ${value}`);
  if (c.win?.signtoolOptions && c.win?.azureSignOptions) p.push('win: signtoolOptions and azureSignOptions exclude each other: choose one');
  if (!c.win?.signtoolOptions && !c.win?.azureSignOptions) p.push('win: no code signing configured');
  for (const t of ['msi', 'nsis']) if (!list(c.win?.target).includes(t)) p.push(`win.target must include ${t}`);
  if (c.msi?.perMachine !== true) p.push('msi.perMachine must be true (IT deploys per machine)');
  if (!/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/.test(c.msi?.upgradeCode ?? '')) p.push('msi.upgradeCode must be a fixed GUID (upgrades replace the old version)');
  if (c.nsis?.perMachine !== false) p.push('nsis.perMachine must be false (the per-user installer)');
  for (const t of ['dmg', 'zip']) if (!list(c.mac?.target).includes(t)) p.push(`mac.target must include ${t}`);
  if (c.mac?.hardenedRuntime !== true) p.push('mac.hardenedRuntime must be true');
  if (!c.mac?.notarize) p.push('mac.notarize must be on (credentials come from the environment)');
  for (const t of ['AppImage', 'deb']) if (!list(c.linux?.target).includes(t)) p.push(`linux.target must include ${t}`);
  if (c.asar !== true) p.push('asar must be true');
  if (!list(c.asarUnpack).includes('**/*.node')) p.push('asarUnpack must unpack native modules (**/*.node)');
  const files = list(c.files);
  if (files.some((f) => /^(src-|tests?\/|scripts\/)/.test(f))) p.push('files must not include sources, tests or scripts');
  for (const f of ['!**/*.map', '!**/*.{ts,tsx,mts,cts}']) if (!files.includes(f)) p.push(`files must exclude ${f.slice(1)}`);
  if (c.publish !== null) p.push('publish must be null: updates come from the TUF repository only');
  return p;
}
