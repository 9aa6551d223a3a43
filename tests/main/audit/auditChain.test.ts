// The chain itself, against the real encrypted store: migration 0050 chains an existing cache's rows in order,
// every new entry's SHA-256 covers its stored content and the previous hash (recomputed here independently),
// entries hold the real identifiers inside the encryption only, and the table refuses UPDATE and DELETE.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { rawPublicKey } from '../../../src-main/services/audit/auditCheckpoint';
import { verifyAuditTrail } from '../../../src-main/services/audit/auditVerifier';
import { openDatabase } from '../../../src-main/services/db/database';
import { migrate, schemaVersion } from '../../../src-main/services/db/migrate';
import { MIGRATIONS } from '../../../src-main/services/db/migrations/index';
import { dicomFilesIn, loadInstances, PHANTOMS } from '../store/fixtures/phantomMeta';
import { filesContaining, makeTempStore } from '../store/fixtures/tempStore';

interface Raw {
  seq: number;
  time: string;
  event_id: string;
  event_type: string | null;
  action: string;
  outcome: number;
  user_id: string;
  actor_json: string;
  objects_json: string;
  detail_json: string;
  hash: Buffer;
}

/** The chain rule written out again, not imported: SHA-256(prev || JSON array of the stored columns). */
function expectChained(rows: Raw[]): void {
  let prev = createHash('sha256').update('enclave/audit-chain/v1').digest();
  rows.forEach((r, i) => {
    expect(r.seq).toBe(i + 1);
    const content = JSON.stringify([r.seq, r.time, r.event_id, r.event_type, r.action, r.outcome, r.user_id, r.actor_json, r.objects_json, r.detail_json]);
    const h = createHash('sha256').update(prev).update(content, 'utf8').digest();
    expect(r.hash.toString('hex'), `entry ${r.seq}`).toBe(h.toString('hex'));
    prev = h;
  });
}

const anyKey = rawPublicKey(generateKeyPairSync('ed25519').privateKey);

describe('audit chain', () => {
  it('migration 0050 chains an existing cache’s rows in order and keeps the table append-only', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'enclave-auditmig-'));
    const db = openDatabase({ file: path.join(dir, 'e.db'), key: randomBytes(32), create: true });
    try {
      migrate(db, MIGRATIONS.filter((m) => m.version <= 30));
      const ins = db.prepare("INSERT INTO audit (time, event_id, event_type, action, outcome, user_id, objects_json, detail_json) VALUES (?, ?, ?, 'E', 0, 'local', '[]', ?)");
      ins.run('2026-01-01T00:00:00.000Z', '110100', '110120', '{}');
      ins.run('2026-01-01T00:00:01.000Z', '110103', null, '{"n":1}');
      ins.run('2026-01-01T00:00:02.000Z', '110100', '110121', '{}');
      migrate(db);
      expect(schemaVersion(db)).toBeGreaterThanOrEqual(50);
      const rows = db.prepare('SELECT * FROM audit ORDER BY seq').all() as Raw[];
      expect(rows).toHaveLength(3);
      expectChained(rows);
      expect((await verifyAuditTrail(db, anyKey, [])).ok).toBe(true);
      expect(() => db.prepare("UPDATE audit SET detail_json = '{}' WHERE seq = 2").run()).toThrow(/append-only/);
      expect(() => db.prepare('DELETE FROM audit WHERE seq = 3').run()).toThrow(/append-only/);
      expect(() => db.prepare('DELETE FROM audit_checkpoints').run()).not.toThrow(); // empty: nothing to refuse yet
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('entries name the study UID, patient ID and name and the OS user, only inside the encryption, chained', async () => {
    const t = await makeTempStore();
    try {
      const store = await t.open();
      const ct = loadInstances(dicomFilesIn(path.join(PHANTOMS, 'ct-axial')).slice(0, 3));
      await store.addInstances(ct.map((c) => ({ meta: c.meta, bytes: c.bytes, sha256: c.sha256 })));
      const seriesId = store.seriesIdOf(ct[0]!.meta.seriesInstanceUid)!;
      store.markSeriesAccessed(seriesId);
      const opened = store.audit.list().at(-1)!;
      expect(opened.eventId).toBe('110103');
      expect(opened.actor).toEqual({ userId: os.userInfo().username, userName: 'local user', requestor: true, kind: 'person' });
      const study = opened.objects.find((o) => o.type === 'study')!;
      expect(study).toMatchObject({ uid: '1.2.826.0.1.3680043.10.1234.1', patientId: 'PH-0001', patientName: 'Phantom^Patricia' });
      expect(study.sopClasses).toEqual([{ uid: ct[0]!.meta.sopClassUid, instances: 3 }]);
      expect(opened.objects.find((o) => o.type === 'series')!.uid).toBe(ct[0]!.meta.seriesInstanceUid);
      const rows = store.database.prepare('SELECT * FROM audit ORDER BY seq').all() as Raw[];
      expectChained(rows);
      expect(opened.hash).toBe(rows.at(-1)!.hash.toString('hex'));
      await store.close();
      // Identifiers are in the trail, and nowhere readable on disk.
      for (const token of ['PH-0001', 'Phantom^Patricia', '1.2.826.0.1.3680043.10.1234.1']) expect(filesContaining(t.dataDir, token)).toEqual([]);
    } finally {
      t.cleanup();
    }
  });
});
