// Verifying the chain in stretches on several threads must name the same first bad entry as one pass in order,
// wherever the damage is: inside a later stretch, on the entry a stretch starts from, or just before a cut.
// Real encrypted store, real verifier threads (the worker's TypeScript source, run through tsx).
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAuditTrail } from '../../../src-main/services/audit/auditTrail';
import { verifyAuditTrail, type ParallelVerify } from '../../../src-main/services/audit/auditVerifier';
import { openDatabase, type Db } from '../../../src-main/services/db/database';
import { unlockDataKey } from '../../../src-main/services/keys/dataKeyVault';
import { deriveSubkey } from '../../../src-main/services/keys/keyDerivation';
import { dataDirLayout } from '../../../src-main/services/store/dataDirLayout';
import { initStore, openStoreWithDataKey } from '../../../src-main/services/store/openStore';
import { tempDir } from '../import/fixtures/importFixtures';

const REPO = path.resolve(__dirname, '../../..');
const WORKER = path.join(REPO, 'src-main/services/workers/auditVerifyWorker.ts');
let root: string;
let pristine: string;
let dataKey: Buffer;

beforeAll(async () => {
  root = tempDir('audit-parallel');
  pristine = path.join(root, 'pristine');
  const { recoveryKey } = await initStore({ dataDir: pristine, keyStore: null });
  dataKey = (await unlockDataKey({ keyFilePath: dataDirLayout(pristine).keyFile, keyStore: null, recoveryKey })).dataKey;
  const store = await openStoreWithDataKey({ dataDir: pristine, dataKey, unlockedVia: 'recovery', auditCheckpointEvery: 10 });
  for (let i = 0; i < 90; i++) store.audit.record({ kind: 'auditLogUsed', action: 'R', outcome: 'success', detail: { n: i } });
  await store.close();
}, 60_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

/** Damages a copy of the store with the key in hand (triggers dropped), then verifies it both ways. */
async function bothWays(name: string, damage: (db: Db, cut: number) => number | null) {
  const dir = path.join(root, name);
  cpSync(pristine, dir, { recursive: true });
  const file = dataDirLayout(dir).dbFile;
  const key = deriveSubkey(dataKey, 'db');
  const db = openDatabase({ file, key, create: false });
  try {
    db.exec('DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;');
    const top = (db.prepare('SELECT max(seq) AS n FROM audit').get() as { n: number }).n;
    // With three threads the first cut is the last entry at or below a third of the trail.
    const damaged = damage(db, Math.floor(top / 3));
    const trail = await openAuditTrail({ dataDir: dir, dataKey, keyStore: null });
    const anchors = await trail.anchor.read();
    const parallel: ParallelVerify = { file, key, workerScript: WORKER, threads: 3, minEntries: 0 };
    const sequential = await verifyAuditTrail(db, trail.key.publicKey, anchors);
    const split = await verifyAuditTrail(db, trail.key.publicKey, anchors, Date.now, parallel);
    return { damaged, sequential, split, top };
  } finally {
    db.close();
  }
}

const change = (db: Db, seq: number) => db.prepare("UPDATE audit SET detail_json = '{\"n\":-1}' WHERE seq = ?").run(seq);

describe('audit verify on several threads', () => {
  it('an untouched trail: intact, every entry counted, as in one pass', async () => {
    const { sequential, split, top } = await bothWays('intact', () => null);
    expect(split.ok).toBe(true);
    expect(split.entries).toBe(top);
    expect(split.threads).toBe(3);
    expect(sequential.threads).toBe(1);
    expect({ ...split, at: 0, ms: 0, threads: 0 }).toEqual({ ...sequential, at: 0, ms: 0, threads: 0 });
  }, 60_000);

  it('an entry changed in the last stretch is named', async () => {
    const { damaged, sequential, split } = await bothWays('late', (db, cut) => (change(db, 2 * cut + 5), 2 * cut + 5));
    expect(split.firstBad).toMatchObject({ seq: damaged, code: 'entry_changed' });
    expect(split.firstBad).toEqual(sequential.firstBad);
    expect(split.entries).toBe(sequential.entries);
    expect(split.threads).toBe(3);
  }, 60_000);

  it('the entry a stretch starts from changed (its stored hash too): that entry is named, not the next stretch', async () => {
    const { damaged, sequential, split } = await bothWays('cut', (db, cut) => {
      db.prepare('UPDATE audit SET hash = zeroblob(32) WHERE seq = ?').run(cut);
      return cut;
    });
    expect(split.firstBad).toMatchObject({ seq: damaged, code: 'entry_changed' });
    expect(split.firstBad).toEqual(sequential.firstBad);
  }, 60_000);

  it('the entry at a cut deleted: the stretch ends on the one before it, and the gap is still named', async () => {
    const { damaged, sequential, split } = await bothWays('gap', (db, cut) => {
      db.prepare('DELETE FROM audit WHERE seq = ?').run(cut);
      return cut;
    });
    expect(split.firstBad).toMatchObject({ seq: damaged, code: 'entry_missing' });
    expect(split.firstBad).toEqual(sequential.firstBad);
    expect(split.entries).toBe(sequential.entries);
    expect(split.threads).toBe(3);
  }, 60_000);

  it('a missing worker script: the stretches are checked on this thread, with the same answer', async () => {
    const dir = path.join(root, 'noworker');
    cpSync(pristine, dir, { recursive: true });
    const file = dataDirLayout(dir).dbFile;
    const key = deriveSubkey(dataKey, 'db');
    const db = openDatabase({ file, key, create: false });
    try {
      const trail = await openAuditTrail({ dataDir: dir, dataKey, keyStore: null });
      const v = await verifyAuditTrail(db, trail.key.publicKey, await trail.anchor.read(), Date.now, { file, key, workerScript: path.join(root, 'missing.cjs'), threads: 2, minEntries: 0 });
      expect(v.ok).toBe(true);
      expect(v.entries).toBeGreaterThan(90);
      expect(v.threads).toBe(1);
    } finally {
      db.close();
    }
  }, 60_000);
});
