// The audit trail: appends per second through AuditService.record (hash chain + a signed checkpoint every 1000
// entries, each append its own fsynced transaction, as the app does), then `enclave audit verify` (the built CLI,
// a new process: unlock, open, re-hash every entry on every core, check every checkpoint) over 1,000,000 entries, one run.
// The million are written in bulk with the same chain rule (writing them one by one would take an hour of
// fsyncs and measure nothing new). Entries look like the app's DICOM Instances Accessed rows.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHAIN_COLUMNS, entryHash, type AuditChainRow } from '../../src-main/services/audit/auditChain';
import { unlockDataKey } from '../../src-main/services/keys/dataKeyVault';
import { dataDirLayout } from '../../src-main/services/store/dataDirLayout';
import { initStore, openStoreWithDataKey } from '../../src-main/services/store/openStore';
import type { BenchRow } from './benchTypes';
import { repoRoot } from './engineBench';

const GROUP = 'audit';
const APPENDS = 5000;
const TOTAL = 1_000_000;
const VERIFY_GOAL_S = 10;

export async function runAuditBench(): Promise<BenchRow[]> {
  const cli = path.join(repoRoot(), 'dist/cli/enclave.cjs');
  if (!existsSync(cli)) throw new Error('dist/cli/enclave.cjs is missing: run `npm run bench` (it builds first)');
  const root = mkdtempSync(path.join(os.tmpdir(), 'enclave-auditbench-'));
  try {
    const dataDir = path.join(root, 'data');
    const { recoveryKey } = await initStore({ dataDir, keyStore: null });
    const rk = path.join(root, 'recovery.key');
    writeFileSync(rk, `${recoveryKey}\n`, { mode: 0o600 });
    const { dataKey } = await unlockDataKey({ keyFilePath: dataDirLayout(dataDir).keyFile, keyStore: null, recoveryKey });
    const store = await openStoreWithDataKey({ dataDir, dataKey, unlockedVia: 'recovery', auditCheckpointEvery: 1000 });
    const ids = [{ type: 'series' as const, id: 'se-0123456789abcdef' }, { type: 'study' as const, id: 'st-0123456789abcdef' }];
    const t0 = performance.now();
    for (let i = 0; i < APPENDS; i++) store.audit.record({ kind: 'instancesAccessed', action: 'R', outcome: 'success', objects: ids });
    await store.audit.flush();
    const appendS = (performance.now() - t0) / 1000;

    // Bulk: the rest of the million, chained from the current head with the same rule, in one transaction.
    const db = store.database;
    const head = db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: Buffer };
    const like = db.prepare(`SELECT ${CHAIN_COLUMNS} FROM audit WHERE seq = ?`).get(head.seq) as AuditChainRow;
    // What a resolved access names (study UID, patient, SOP classes), so rows have the app's size.
    const objects = JSON.stringify([
      { type: 'series', id: 'se-0123456789abcdef', uid: '1.2.826.0.1.3680043.10.1234.2.1', sopClasses: [{ uid: '1.2.840.10008.5.1.4.1.1.2', instances: 80 }] },
      { type: 'study', id: 'st-0123456789abcdef', uid: '1.2.826.0.1.3680043.10.1234.1', patientId: 'PH-0001', patientName: 'Phantom^Patricia', sopClasses: [{ uid: '1.2.840.10008.5.1.4.1.1.2', instances: 80 }] },
    ]);
    const ins = db.prepare(`INSERT INTO audit (${CHAIN_COLUMNS}, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    let prev = head.hash;
    const base = Date.parse(like.time);
    db.transaction(() => {
      for (let seq = head.seq + 1; seq <= TOTAL - 1; seq++) {
        const r: AuditChainRow = { ...like, seq, time: new Date(base + seq * 1000).toISOString(), objects_json: objects };
        prev = entryHash(prev, r);
        ins.run(r.seq, r.time, r.event_id, r.event_type, r.action, r.outcome, r.user_id, r.actor_json, r.objects_json, r.detail_json, prev);
      }
    })();
    await store.close(); // entry 1,000,000 is Application Stop, then the checkpoint at stop.
    dataKey.fill(0);

    const v0 = performance.now();
    const r = spawnSync(process.execPath, [cli, 'audit', 'verify', '--json', '--data-dir', dataDir, '--recovery-key-file', rk], { encoding: 'utf8', timeout: 600_000 });
    const verifyS = (performance.now() - v0) / 1000;
    if (r.status !== 0) throw new Error(`enclave audit verify failed (${r.status}): ${r.stdout}${r.stderr}`);
    const v = JSON.parse(r.stdout) as { entries: number; ms: number; ok: boolean; threads: number };
    return [
      { group: GROUP, name: `appends, chain + checkpoint every 1000 (${APPENDS} entries, each fsynced)`, value: APPENDS / appendS, unit: 'entries/s' },
      { group: GROUP, name: `enclave audit verify, ${v.entries.toLocaleString('en')} entries (whole command)`, value: verifyS, unit: 's', ratio: VERIFY_GOAL_S / verifyS, target: `< ${VERIFY_GOAL_S} s`, pass: v.ok && verifyS < VERIFY_GOAL_S },
      { group: GROUP, name: `of which re-hashing the chain (${v.threads} threads) and checking checkpoints`, value: v.ms / 1000, unit: 's' },
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
