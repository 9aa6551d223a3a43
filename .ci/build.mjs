// Builds everything the app and the tests run: renderer (vite), main + preload + CLI + bench (esbuild).
// One script so `npm start`, `npm test` and `npm run bench` build the same way.
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist');
const only = process.argv[2];

// Native modules and electron stay outside the bundle; codecs load their own .wasm at run time.
const external = [
  'electron', 'keytar', 'better-sqlite3-multiple-ciphers', '@node-rs/argon2',
  '@cornerstonejs/codec-charls', '@cornerstonejs/codec-openjpeg', '@cornerstonejs/codec-openjph',
  '@cornerstonejs/codec-libjpeg-turbo-8bit', 'playwright-core', 'dcmjs', 'daikon', 'dwv', 'vite', 'esbuild',
  'dcmjs-dimse', // loads its own dcmjs copy (and PACS code silences that copy's logging)
];

const nodeEntries = [
  ['src-main/main.ts', 'main/main.cjs'],
  ['src-main/cli/enclave.ts', 'cli/enclave.cjs'],
  ['tests/bench/bench.ts', 'bench/bench.cjs'],
  ['tests/fuzz/fuzz.ts', 'bench/fuzz.cjs'],
  ['src-main/services/workers/decodeWorker.ts', 'main/decodeWorker.cjs'],
  ['src-main/services/workers/importWorker.ts', 'main/importWorker.cjs'],
  ['src-main/services/workers/auditVerifyWorker.ts', 'main/auditVerifyWorker.cjs'],
  ['src-main/services/workers/blobWriteWorker.ts', 'main/blobWriteWorker.cjs'],
].filter(([src]) => existsSync(join(root, src)));

if (!only) rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

if (!only || only === 'node') {
  await Promise.all(nodeEntries.map(([src, dst]) => esbuild({
    entryPoints: [join(root, src)], outfile: join(out, dst), bundle: true, platform: 'node',
    format: 'cjs', target: 'node22', external, sourcemap: 'linked', logLevel: 'warning',
    banner: dst.startsWith('cli/') ? { js: '#!/usr/bin/env node' } : undefined,
  })));
  // A sandboxed preload cannot require anything but electron: bundle it to one file.
  await esbuild({
    entryPoints: [join(root, 'src-renderer/preload.ts')], outfile: join(out, 'preload/preload.cjs'),
    bundle: true, platform: 'node', format: 'cjs', target: 'chrome140', external: ['electron'], logLevel: 'warning',
  });
}
if (!only || only === 'renderer') {
  await viteBuild({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
}
