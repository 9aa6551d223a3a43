// The four tamper cases of issue 11, each caught by `enclave audit verify` (the bundled CLI, as IT runs it) with
// the first bad entry named, against the real encrypted store. The attacker has the database key (derived from
// the data key, as anyone holding the recovery key would) and drops the append-only triggers first.
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src-main/services/db/database';
import { unlockDataKey } from '../../../src-main/services/keys/dataKeyVault';
import { deriveSubkey } from '../../../src-main/services/keys/keyDerivation';
import { dataDirLayout } from '../../../src-main/services/store/dataDirLayout';
import { openStoreWithDataKey } from '../../../src-main/services/store/openStore';
import { buildCli, isolatedEnv, type BuiltCli } from '../cli/fixtures/cliBuild';
import { tempDir } from '../import/fixtures/importFixtures';

let cli: BuiltCli;
let root: string;
let rk: string;
let pristine: string;

async function dataKeyOf(dataDir: string): Promise<Buffer> {
  const { readFileSync } = await import('node:fs');
  return (await unlockDataKey({ keyFilePath: dataDirLayout(dataDir).keyFile, keyStore: null, recoveryKey: readFileSync(rk, 'utf8').trim() })).dataKey;
}

/** Opens the store as the app does (verifying at start), appends `n` accesses, closes (checkpoint at stop). */
async function appendEvents(dataDir: string, n: number, tag: string): Promise<void> {
  const store = await openStoreWithDataKey({ dataDir, dataKey: await dataKeyOf(dataDir), unlockedVia: 'recovery', auditCheckpointEvery: 10 });
  for (let i = 0; i < n; i++) store.audit.record({ kind: 'auditLogUsed', action: 'R', outcome: 'success', detail: { tag, n: i } });
  await store.close();
}

async function withDb<T>(dataDir: string, f: (db: Db) => T): Promise<T> {
  const db = openDatabase({ file: dataDirLayout(dataDir).dbFile, key: deriveSubkey(await dataKeyOf(dataDir), 'db'), create: false });
  try {
    return f(db);
  } finally {
    db.close();
  }
}

function seqOf(db: Db, tag: string, n: number): number {
  return (db.prepare("SELECT seq FROM audit WHERE detail_json = ?").get(JSON.stringify({ tag, n })) as { seq: number }).seq;
}

function copyStore(name: string): string {
  const d = path.join(root, name);
  cpSync(pristine, d, { recursive: true });
  return d;
}

function verify(dataDir: string) {
  const env = isolatedEnv(path.join(root, 'home'), path.join(root, 'tmp'), { ENCLAVE_DATA_DIR: dataDir });
  return cli.run(['audit', 'verify', '--recovery-key-file', rk], env);
}

beforeAll(async () => {
  cli = await buildCli();
  root = tempDir('audit-tamper');
  for (const d of ['home', 'tmp']) mkdirSync(path.join(root, d));
  rk = path.join(root, 'recovery.key');
  pristine = path.join(root, 'pristine');
  const env = isolatedEnv(path.join(root, 'home'), path.join(root, 'tmp'), { ENCLAVE_DATA_DIR: pristine });
  expect(cli.run(['init', '--no-keychain', '--recovery-key-out', rk], env).status).toBe(0);
  await appendEvents(pristine, 40, 'a');
}, 120_000);

afterAll(() => {
  cli?.cleanup();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('enclave audit verify: tamper evidence', () => {
  it('an untouched trail verifies (exit 0) and keeps its latest checkpoint beside the database', () => {
    const d = copyStore('control');
    const r = verify(d);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Audit trail intact: \d+ entries, \d+ signed checkpoint\(s\); outside checkpoint \(file\) at entry \d+/);
    expect(existsSync(path.join(d, 'audit-checkpoint.txt'))).toBe(true);
  });

  it('one byte of an entry changed with the key in hand and the triggers dropped: that entry is named', async () => {
    const d = copyStore('edited');
    const seq = await withDb(d, (db) => {
      const s = seqOf(db, 'a', 17);
      db.exec('DROP TRIGGER audit_no_update');
      // "n":17 -> "n":18: one byte of the stored content.
      db.prepare('UPDATE audit SET detail_json = ? WHERE seq = ?').run(JSON.stringify({ tag: 'a', n: 18 }), s);
      return s;
    });
    const r = verify(d);
    expect(r.status).toBe(2);
    expect(r.stdout).toContain(`BROKEN at entry ${seq}: Entry ${seq} does not match its hash`);
  });

  it('a middle entry deleted: the missing entry is named', async () => {
    const d = copyStore('middle');
    const seq = await withDb(d, (db) => {
      const s = seqOf(db, 'a', 12);
      db.exec('DROP TRIGGER audit_no_delete');
      db.prepare('DELETE FROM audit WHERE seq = ?').run(s);
      return s;
    });
    const r = verify(d);
    expect(r.status).toBe(2);
    expect(r.stdout).toContain(`BROKEN at entry ${seq}: Entry ${seq} is missing`);
  });

  it('the last entries deleted (and their checkpoints): the first missing one is named from the outside checkpoint', async () => {
    const d = copyStore('tail');
    const from = await withDb(d, (db) => {
      const s = seqOf(db, 'a', 30);
      db.exec('DROP TRIGGER audit_no_delete; DROP TRIGGER audit_checkpoints_no_delete');
      db.prepare('DELETE FROM audit WHERE seq >= ?').run(s);
      db.prepare('DELETE FROM audit_checkpoints WHERE size >= ?').run(s);
      return s;
    });
    const r = verify(d);
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(new RegExp(`BROKEN at entry ${from}: Entries ${from} to \\d+ are missing: the checkpoint kept outside the database`));
  });

  it('an older copy of the whole database restored over the current one: the first entry it lacks is named', async () => {
    const d = copyStore('restored');
    const l = dataDirLayout(d);
    const old = path.join(root, 'old-enclave.db');
    cpSync(l.dbFile, old);
    const firstLost = (await withDb(d, (db) => (db.prepare('SELECT max(seq) AS n FROM audit').get() as { n: number }).n)) + 1;
    await appendEvents(d, 25, 'b');
    for (const f of [l.dbFile, `${l.dbFile}-wal`, `${l.dbFile}-shm`]) rmSync(f, { force: true });
    cpSync(old, l.dbFile);
    const r = verify(d);
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(new RegExp(`BROKEN at entry ${firstLost}: Entries ${firstLost} to \\d+ are missing`));
    // The break stays: verifying again (the trail has grown meanwhile) still fails at the same entry, and a
    // Security Alert naming it is in the trail.
    const again = verify(d);
    expect(again.status).toBe(2);
    expect(again.stdout).toContain(`BROKEN at entry ${firstLost}:`);
    const alerts = await withDb(d, (db) => db.prepare("SELECT event_type, detail_json FROM audit WHERE event_id = '110113'").all() as { event_type: string; detail_json: string }[]);
    expect(alerts.length).toBeGreaterThanOrEqual(2);
    expect(alerts[0]!.event_type).toBe('110133');
    expect(JSON.parse(alerts[0]!.detail_json)).toMatchObject({ code: 'AUDIT_CHAIN_BROKEN', firstBad: firstLost });
  });
});
