// npm run sbom [-- --out FILE] — the CycloneDX 1.6 SBOM of what ships (FDA 524B: "what is inside it"):
// the production dependency tree from @cyclonedx/cyclonedx-npm (offline: it reads node_modules), plus
// Electron and the Chromium inside it, which are a devDependency and so absent from that tree. The result
// is validated against the CycloneDX 1.6 JSON schema before it is written.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const REPO = fileURLToPath(new URL('..', import.meta.url));

interface Component {
  type: string;
  'bom-ref'?: string;
  name: string;
  version?: string;
  purl?: string;
  licenses?: unknown[];
  components?: Component[];
  [k: string]: unknown;
}

export interface Bom {
  bomFormat: 'CycloneDX';
  specVersion: string;
  metadata: { component: Component; [k: string]: unknown };
  components: Component[];
  dependencies?: { ref: string; dependsOn?: string[] }[];
  [k: string]: unknown;
}

/** The runtime that wraps the app: Electron from package.json, its Chromium from electron-to-chromium's table. */
export function runtimeComponents(): Component[] {
  const electron = (JSON.parse(readFileSync(path.join(REPO, 'node_modules/electron/package.json'), 'utf8')) as { version: string }).version;
  const chromium = (require('electron-to-chromium') as { electronToChromium(v: string): string | undefined }).electronToChromium(electron);
  if (!chromium) throw new Error(`Chromium's version for Electron ${electron} is unknown: update electron-to-chromium before releasing.`);
  return [
    {
      type: 'framework', 'bom-ref': `pkg:npm/electron@${electron}`, name: 'electron', version: electron, purl: `pkg:npm/electron@${electron}`,
      licenses: [{ license: { id: 'MIT' } }], description: 'Electron runtime (bundles Chromium and Node.js)',
      externalReferences: [{ type: 'website', url: 'https://www.electronjs.org/' }],
    },
    {
      type: 'framework', 'bom-ref': `chromium@${chromium}`, name: 'chromium', version: chromium, purl: `pkg:generic/chromium@${chromium}`,
      licenses: [{ license: { id: 'BSD-3-Clause' } }], description: `Chromium, as shipped inside Electron ${electron}`,
      externalReferences: [{ type: 'website', url: 'https://www.chromium.org/' }],
    },
  ];
}

/** The production tree, from cyclonedx-npm (flattened: one component per package version). */
export function npmSbom(): Bom {
  const cli = path.join(REPO, 'node_modules/@cyclonedx/cyclonedx-npm/bin/cyclonedx-npm-cli.js');
  const r = spawnSync(process.execPath, [cli, '--omit', 'dev', '--spec-version', '1.6', '--output-format', 'JSON', '--flatten-components', '--output-reproducible', '--mc-type', 'application', '--output-file', '-', path.join(REPO, 'package.json')], { cwd: REPO, encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`cyclonedx-npm failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Bom;
}

export function withRuntime(bom: Bom): Bom {
  const runtime = runtimeComponents();
  const [electron, chromium] = runtime as [Component, Component];
  const root = bom.metadata.component['bom-ref'] as string;
  const dependencies = (bom.dependencies ?? []).map((d) => (d.ref === root ? { ...d, dependsOn: [...(d.dependsOn ?? []), electron['bom-ref']!] } : d));
  dependencies.push({ ref: electron['bom-ref']!, dependsOn: [chromium['bom-ref']!] }, { ref: chromium['bom-ref']! });
  return { ...bom, components: [...bom.components, ...runtime], dependencies };
}

/** Null when `bom` is valid CycloneDX 1.6 JSON, else the schema's complaint. */
export async function validateBom(bom: Bom): Promise<unknown> {
  const { Spec, Validation } = require('@cyclonedx/cyclonedx-library') as {
    Spec: { Version: { v1dot6: unknown } };
    Validation: { JsonStrictValidator: new (v: unknown) => { validate(data: string): Promise<unknown> } };
  };
  return new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(JSON.stringify(bom));
}

export async function buildSbom(): Promise<Bom> {
  const bom = withRuntime(npmSbom());
  const problem = await validateBom(bom);
  if (problem) throw new Error(`The SBOM does not validate as CycloneDX 1.6: ${JSON.stringify(problem).slice(0, 2000)}`);
  return bom;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const version = (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
  const out = path.resolve(values.out ?? path.join(REPO, 'release', `enclave-${version}.cdx.json`));
  buildSbom().then(
    (bom) => {
      mkdirSync(path.dirname(out), { recursive: true });
      writeFileSync(out, `${JSON.stringify(bom, null, 2)}\n`);
      console.log(`SBOM (CycloneDX ${bom.specVersion}, ${bom.components.length} components, validated) written to ${path.relative(process.cwd(), out)}`);
    },
    (e: unknown) => {
      console.error(`sbom: ${(e as Error).message}`);
      process.exitCode = 1;
    },
  );
}
