// A store being filled is killed with SIGKILL at random moments; every time, the database must be
// intact, every instance row must have its complete blob, and finishing the import gives exact counts.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dicomFilesIn, loadInstances, PHANTOMS } from './fixtures/phantomMeta';
import { allFiles, makeTempStore, type TempStore } from './fixtures/tempStore';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../../..');
const CHILD = path.join(HERE, 'fixtures', 'killableImport.ts');
const KILLS = 6;
const EXPECTED = { instances: 144, series: 2, studies: 1 }; // ct-axial 80 + mr-sagittal 64, one study

let t: TempStore;
let rkFile: string;
let inputFile: string;
beforeAll(async () => {
  t = await makeTempStore();
  rkFile = path.join(path.dirname(t.dataDir), 'rk');
  writeFileSync(rkFile, t.recoveryKey, { mode: 0o600 });
  inputFile = path.join(path.dirname(t.dataDir), 'input.json');
  const items = loadInstances([...dicomFilesIn(path.join(PHANTOMS, 'ct-axial')), ...dicomFilesIn(path.join(PHANTOMS, 'mr-sagittal'))]);
  writeFileSync(inputFile, JSON.stringify(items.map((i) => ({ file: i.file, meta: i.meta, sha256: i.sha256 }))));
});
afterAll(() => t.cleanup());

/** Runs the child; kills it `killAfterMs` after it reports ready (or lets it finish when null). */
function runChild(killAfterMs: number | null): Promise<{ killed: boolean; out: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, t.dataDir, rkFile, inputFile], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let readyAt = 0;
    child.stdout.on('data', (d: Buffer) => {
      const before = out;
      out += d.toString();
      if (!before.includes('ready') && out.includes('ready')) {
        readyAt = Date.now();
        if (killAfterMs !== null) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const ms = readyAt ? Date.now() - readyAt : 0;
      if (signal === 'SIGKILL') resolve({ killed: true, out, ms });
      else if (code === 0) resolve({ killed: false, out, ms });
      else reject(new Error(`child failed (${code}): ${err.slice(-2000)}`));
    });
  });
}

async function purgeAll(): Promise<void> {
  const store = await t.open();
  await store.purgeAll();
  await store.close();
}

async function checkStore(): Promise<{ instances: number; series: number; studies: number }> {
  const store = await t.open();
  try {
    expect(store.database.pragma('integrity_check', { simple: true })).toBe('ok');
    const v = await store.verifyAll();
    expect(v.tampered).toEqual([]);
    // After the sweep at open, every blob on disk belongs to a row and vice versa.
    expect(allFiles(path.join(t.dataDir, 'blobs'))).toHaveLength(v.checked);
    expect(allFiles(path.join(t.dataDir, 'tmp'))).toEqual([]);
    const studies = await store.listStudies();
    const series = studies.length ? await store.listSeries(studies[0]!.studyId) : [];
    return { instances: v.checked, series: series.length, studies: studies.length };
  } finally {
    await store.close();
  }
}

describe('crash safety of addInstances', () => {
  it(`survives ${KILLS} SIGKILLs at random moments during an import, then resumes to exact counts`, async () => {
    const full = await runChild(null);
    expect(full.out).toContain('done');
    expect(await checkStore()).toEqual(EXPECTED);
    for (let k = 0; k < KILLS; k++) {
      // Start from an empty store each time so the kill lands somewhere inside the import.
      await purgeAll();
      await runChild(Math.floor(Math.random() * full.ms));
      const c = await checkStore();
      // Whole batches only (8 instances each): all of a batch or none of it.
      expect(c.instances % 8 === 0 || c.instances === 144).toBe(true);
    }
    // Resume from the last killed state.
    const last = await runChild(null);
    expect(last.out).toContain('done');
    expect(await checkStore()).toEqual(EXPECTED);
  });
});
