// Quick view of a patient CD: everything is read into memory through the import worker; the encrypted
// store's data directory stays byte-identical (and keeps no record of it), and closing drops it all.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuickViewSession } from '../../../src-main/services/quickView/quickViewSession';
import { importPaths } from '../../../src-main/services/import/folderImport';
import { PHANTOMS, REPO } from '../import/fixtures/importFixtures';
import { allFiles, makeTempStore, type TempStore } from '../store/fixtures/tempStore';

const WORKER_SRC = path.join(REPO, 'src-main/services/workers/importWorker.ts');
let ts: TempStore;

beforeAll(async () => {
  ts = await makeTempStore();
  // A store that already holds something, closed as the app would leave it between uses.
  const store = await ts.open();
  await importPaths(store, [path.join(PHANTOMS, 'deid')]);
  await store.close();
});
afterAll(() => ts.cleanup());

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of allFiles(dir)) {
    const st = statSync(f);
    out[path.relative(dir, f)] = `${st.size}:${st.mtimeMs}:${createHash('sha256').update(readFileSync(f)).digest('hex')}`;
  }
  return out;
}

describe('quick view', () => {
  it('shows patient-cd from memory and leaves the data directory byte-identical', async () => {
    const before = snapshot(ts.dataDir);
    const session = await QuickViewSession.open([path.join(PHANTOMS, 'patient-cd')], { workerScript: WORKER_SRC });
    expect(session.report.added).toBe(144);
    const studies = await session.store.listStudies();
    expect(studies).toHaveLength(1);
    expect(studies[0]).toMatchObject({ patientName: 'Phantom^Patricia', seriesCount: 2, instanceCount: 144 });
    const series = await session.store.listSeries(studies[0]!.studyId);
    expect(series.map((s) => s.instanceCount).sort()).toEqual([64, 80]);
    const [first] = await session.store.listInstances(series[0]!.seriesId);
    const bytes = await session.store.readInstanceBytes(first!.instanceId);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(first!.sha256);

    await session.close();
    expect(await session.store.listStudies()).toEqual([]);
    expect(snapshot(ts.dataDir)).toEqual(before);
  });
});
