// Crash safety: `enclave import ct-axial mr-sagittal` in a child process, killed with SIGKILL at 20
// random moments. Each time the store opens, SQLite's integrity check passes, every instance row has
// its (decryptable, hash-matching) data, and running the import again ends with exactly the right counts.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPaths } from '../../../src-main/services/import/folderImport';
import { unlockDataKey } from '../../../src-main/services/keys/dataKeyVault';
import { initStore, openStoreWithDataKey } from '../../../src-main/services/store/openStore';
import { buildCli, isolatedEnv, type BuiltCli } from '../cli/fixtures/cliBuild';
import { allFiles } from '../store/fixtures/tempStore';
import { PHANTOMS, storeCounts, tempDir } from './fixtures/importFixtures';

const KILLS = Number(process.env.KILLS ?? 20);
const SOURCES = [path.join(PHANTOMS, 'ct-axial'), path.join(PHANTOMS, 'mr-sagittal')];
const FULL = { patients: 1, studies: 1, series: 2, instances: 144 };

let cli: BuiltCli;
let root: string;

beforeAll(async () => {
  cli = await buildCli();
  root = tempDir('kill');
});
afterAll(() => {
  cli?.cleanup();
  rmSync(root, { recursive: true, force: true });
});

/** Runs the CLI import; kills it with SIGKILL after `killAfterMs` (if given). */
function runCliImport(env: Record<string, string>, rkFile: string, killAfterMs?: number, args: string[] = SOURCES): Promise<{ ms: number; code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [cli.cli, 'import', '--json', '--no-progress', '--recovery-key-file', rkFile, ...args], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const timer = killAfterMs === undefined ? null : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ ms: performance.now() - t0, code, stdout });
    });
  });
}

/** A small seeded generator, so a failing run can be replayed from the seed in the message. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

async function checkStore(dataDir: string, dataKey: Buffer, label: string, sweepOrphans: boolean) {
  const store = await openStoreWithDataKey({ dataDir, dataKey, sweepOrphans });
  try {
    expect(store.database.pragma('integrity_check', { simple: true }), label).toBe('ok');
    expect(store.database.pragma('foreign_key_check'), label).toEqual([]);
    const v = await store.verifyAll();
    expect(v.tampered, `${label}: instance rows without their data`).toEqual([]);
    const same = JSON.stringify({ paths: SOURCES });
    return { counts: storeCounts(store), running: store.listImportJobs('running').filter((j) => JSON.stringify(j.source) === same).length };
  } finally {
    await store.close();
  }
}

/** An empty, initialised store made once; each run gets a copy (same keys), which saves two key derivations per run. */
let template: { dir: string; recoveryKey: string; dataKey: Buffer } | null = null;

async function freshStore(dir: string) {
  if (!template) {
    const tdir = path.join(root, 'template');
    const { recoveryKey } = await initStore({ dataDir: tdir, keyStore: null });
    const { dataKey } = await unlockDataKey({ keyFilePath: path.join(tdir, 'keys.json'), keyStore: null, recoveryKey });
    template = { dir: tdir, recoveryKey, dataKey };
  }
  mkdirSync(dir);
  for (const d of ['home', 'tmp']) mkdirSync(path.join(dir, d));
  const dataDir = path.join(dir, 'data');
  cpSync(template.dir, dataDir, { recursive: true });
  const rkFile = path.join(dir, 'rk');
  writeFileSync(rkFile, template.recoveryKey, { mode: 0o600 });
  const env = isolatedEnv(path.join(dir, 'home'), path.join(dir, 'tmp'), { ENCLAVE_DATA_DIR: dataDir });
  return { dataDir, rkFile, dataKey: template.dataKey, env };
}

describe('an import killed with SIGKILL', () => {
  it(`leaves a consistent store and resumes to exact counts (${KILLS} random kills)`, async () => {
    const seed = Date.now() % 1_000_000;
    const rand = prng(seed);
    // Calibration: when the import itself starts (after start-up and unlock) and how long it lasts here.
    const cal = await freshStore(path.join(root, 'calibration'));
    const full = await runCliImport(cal.env, cal.rkFile);
    expect(full.code).toBe(0);
    const importMs = (JSON.parse(full.stdout) as { seconds: number }).seconds * 1000;
    const startupMs = Math.max(0, full.ms - importMs);
    expect((await checkStore(cal.dataDir, cal.dataKey, 'calibration', false)).counts).toEqual(FULL);

    let resumeTested = false;
    for (let i = 0; i < KILLS; i++) {
      const dir = path.join(root, `run${i + 1}`);
      const s = await freshStore(dir);
      // Anywhere from the end of start-up to the end of the import (a few land on either side of it).
      const at = Math.round(startupMs * 0.9 + (importMs + startupMs * 0.2) * rand());
      const label = `kill ${i + 1} at ${at} ms (seed ${seed})`;
      await runCliImport(s.env, s.rkFile, at);
      // No sweep on this open: look at exactly what the killed process left.
      const partial = await checkStore(s.dataDir, s.dataKey, label, false);
      expect(partial.counts.instances, label).toBeLessThanOrEqual(FULL.instances);

      // Run it again: once as a user would, `enclave import --resume` (it finds the interrupted job);
      // then in-process, the same engine the worker runs (quicker). Either open sweeps what the kill left.
      let report: { added: number; duplicates: number };
      if (!resumeTested && partial.running === 1) {
        resumeTested = true;
        const resumed = await runCliImport(s.env, s.rkFile, undefined, ['--resume']);
        expect(resumed.code, label).toBe(0);
        report = JSON.parse(resumed.stdout) as typeof report;
      } else {
        const store = await openStoreWithDataKey({ dataDir: s.dataDir, dataKey: s.dataKey });
        report = await importPaths(store, SOURCES);
        await store.close();
      }
      expect(report.added + report.duplicates, label).toBe(FULL.instances);
      expect(report.added, label).toBe(FULL.instances - partial.counts.instances);
      const done = await checkStore(s.dataDir, s.dataKey, `${label}, after re-run`, false);
      expect(done.counts, label).toEqual(FULL);
      expect(done.running, `${label}: the interrupted job is closed by the run that completed it`).toBe(0);
      // One blob per instance, nothing left over.
      expect(allFiles(path.join(s.dataDir, 'blobs')).length, label).toBe(FULL.instances);
      if (process.env['KILLS']) console.log(label, partial.counts.instances);
      rmSync(dir, { recursive: true, force: true });
    }
    expect(resumeTested, 'at least one kill left an interrupted job for `enclave import --resume`').toBe(true);
  }, 300_000);
});
