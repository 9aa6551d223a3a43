// The SBOM shipped with every release: CycloneDX 1.6, schema-valid, listing every production dependency
// installed (from the lockfile) with its version and licence, and the Electron/Chromium runtime.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSbom, validateBom, type Bom } from '../../../scripts/sbom';

const REPO = path.resolve(__dirname, '../../..');
let bom: Bom;
beforeAll(async () => {
  bom = await buildSbom();
}, 120_000);

interface LockEntry { version?: string; dev?: boolean; devOptional?: boolean; optional?: boolean; link?: boolean }

/** Production packages as the lockfile installs them here (optional ones for other platforms are absent). */
function productionPackages(): { name: string; version: string }[] {
  const lock = JSON.parse(readFileSync(path.join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  return Object.entries(lock.packages)
    .filter(([p, e]) => p.startsWith('node_modules/') && !e.dev && !e.devOptional && !e.link && existsSync(path.join(REPO, p)))
    .map(([p, e]) => ({ name: p.slice(p.lastIndexOf('node_modules/') + 'node_modules/'.length), version: e.version! }));
}

describe('SBOM (npm run sbom)', () => {
  it('is CycloneDX 1.6 and validates against its schema; a broken one does not', async () => {
    expect(bom.bomFormat).toBe('CycloneDX');
    expect(bom.specVersion).toBe('1.6');
    expect(await validateBom(bom)).toBeNull();
    expect(await validateBom({ ...bom, components: [{ type: 'no-such-type', name: 'x' }] })).not.toBeNull();
  });

  it('lists every production dependency with its version and licence, and no development tool', () => {
    const fullName = (c: { name: string; group?: unknown }) => (c.group ? `${String(c.group)}/${c.name}` : c.name);
    const listed = new Map(bom.components.map((c) => [`${fullName(c)}@${c.version}`, c]));
    const names = new Set(bom.components.map(fullName));
    const prod = productionPackages();
    expect(prod.length).toBeGreaterThan(20);
    for (const p of prod) {
      const c = listed.get(`${p.name}@${p.version}`);
      expect(c, `${p.name}@${p.version}`).toBeDefined();
      expect(c!.licenses?.length, `${p.name} licence`).toBeGreaterThan(0);
    }
    for (const name of ['tuf-js', 'zod', 'better-sqlite3-multiple-ciphers', 'keytar']) expect(names.has(name), name).toBe(true);
    for (const dev of ['vitest', 'vite', 'electron-builder', 'typescript', 'electron-to-chromium']) expect(names.has(dev), dev).toBe(false);
    expect(bom.metadata.component.name).toBe('enclave');
  });

  it('adds the Electron runtime and its Chromium by hand, as dependencies of the app', () => {
    const electronVersion = (JSON.parse(readFileSync(path.join(REPO, 'node_modules/electron/package.json'), 'utf8')) as { version: string }).version;
    const electron = bom.components.find((c) => c.name === 'electron')!;
    const chromium = bom.components.find((c) => c.name === 'chromium')!;
    expect(electron).toMatchObject({ version: electronVersion, type: 'framework' });
    expect(chromium.version).toMatch(/^\d+\.0\.\d+\.\d+$/);
    const root = bom.metadata.component['bom-ref'];
    expect(bom.dependencies!.find((d) => d.ref === root)!.dependsOn).toContain(electron['bom-ref']);
    expect(bom.dependencies!.find((d) => d.ref === electron['bom-ref'])!.dependsOn).toEqual([chromium['bom-ref']]);
  });
});
