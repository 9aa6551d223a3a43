// Test repositories for the update tests: Enclave's release layout (a signed latest.json per channel and
// platform, the artifact beside it) written by scripts/tufRepository.ts, the code `npm run release:sign` runs.
import { Metadata } from '@tufjs/models';
import path from 'node:path';
import { makeThrowawayCa, serveDirectory, type LoopbackServer } from './loopbackHttps';
import { generateKeySet, makeRoot, metadataJson, publish, signMetadata, writeRoot, type KeySet, type PublishOptions } from '../../../scripts/tufRepository';

export const PLATFORM = 'linux-x64';

export function artifactBytes(version: string, size = 4096): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + version.length * 7) & 0xff;
  b.write(`Enclave ${version} AppImage`, 0);
  return b;
}

export function releaseArtifacts(version: string, channel = 'stable', bytes = artifactBytes(version)): PublishOptions['artifacts'] {
  const target = `${channel}/${PLATFORM}/Enclave-${version}.AppImage`;
  return [
    { path: target, bytes, custom: { version } },
    { path: `${channel}/${PLATFORM}/latest.json`, bytes: Buffer.from(JSON.stringify({ version, target })) },
  ];
}

export interface TestRepo {
  keys: KeySet;
  /** Enclave's shipped trust root for this repository (root v1, signed by 2 of its 3 root keys). */
  trustedRoot: Buffer;
  dir: string;
}

/** A good repository under `dir`: root v1 and one release `version`, all metadata at `versions`. */
export function goodRepo(dir: string, version = '1.1.0', versions = { targets: 1, snapshot: 1, timestamp: 1 }, keys = generateKeySet()): TestRepo {
  const root = makeRoot(keys, 1);
  signMetadata(root, keys.root.slice(0, 2));
  writeRoot(dir, root);
  publish({ dir, keys, artifacts: releaseArtifacts(version), versions });
  return { keys, trustedRoot: Buffer.from(metadataJson(root)), dir };
}

export const metadataFile = (repo: TestRepo, name: string): string => path.join(repo.dir, 'metadata', name);
export { Metadata };

/** A good repository at <root>/www/repo served over loopback HTTPS (a fresh throwaway CA): served at `${server.url}/repo/`. */
export async function serveGoodRepo(root: string): Promise<{ server: LoopbackServer; repo: TestRepo; caPem: string }> {
  const ca = makeThrowawayCa();
  const repo = goodRepo(path.join(root, 'www', 'repo'));
  return { server: await serveDirectory(path.join(root, 'www'), ca), repo, caPem: ca.caPem };
}
