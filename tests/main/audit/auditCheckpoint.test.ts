// Checkpoints in the C2SP signed-note form, checked with node's Ed25519 directly (not through the parser), and
// their cadence in a real store: every N entries and at stop, the latest beside the database.
import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCheckpoint, originOf, rawPublicKey, signCheckpoint } from '../../../src-main/services/audit/auditCheckpoint';
import { unlockDataKey } from '../../../src-main/services/keys/dataKeyVault';
import { dataDirLayout } from '../../../src-main/services/store/dataDirLayout';
import { openStoreWithDataKey } from '../../../src-main/services/store/openStore';
import { makeTempStore } from '../store/fixtures/tempStore';

describe('audit checkpoints', () => {
  it('are C2SP signed notes: origin, size, base64 head, time; an Ed25519 line with the key id', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pub = rawPublicKey(privateKey);
    const origin = originOf(pub);
    const head = createHash('sha256').update('x').digest();
    const note = signCheckpoint({ origin, size: 1234, head, time: '2026-11-21T10:00:00.000Z' }, privateKey);
    const [body, sigs] = note.split('\n\n') as [string, string];
    expect(body.split('\n')).toEqual([origin, '1234', head.toString('base64'), 'time 2026-11-21T10:00:00.000Z']);
    const m = /^\u2014 (\S+) (\S+)\n$/.exec(sigs)!;
    expect(m[1]).toBe(origin);
    const blob = Buffer.from(m[2]!, 'base64');
    const id = createHash('sha256').update(Buffer.concat([Buffer.from(origin), Buffer.from([0x0a, 0x01]), pub])).digest().subarray(0, 4);
    expect(blob.subarray(0, 4)).toEqual(id);
    expect(verify(null, Buffer.from(`${body}\n`), createPublicKey(privateKey), blob.subarray(4))).toBe(true);
    expect(openCheckpoint(note, pub)).toMatchObject({ ok: true, checkpoint: { size: 1234, head } });
    // Any change is refused: the size, or another key.
    expect(openCheckpoint(note.replace('\n1234\n', '\n1235\n'), pub)).toMatchObject({ ok: false, problem: 'signature does not verify' });
    expect(openCheckpoint(note, rawPublicKey(generateKeyPairSync('ed25519').privateKey)).ok).toBe(false);
  });

  it('are written every N entries and at stop, the latest also beside the database; the key file holds no clear key', async () => {
    const t = await makeTempStore();
    try {
      const { dataKey } = await unlockDataKey({ keyFilePath: dataDirLayout(t.dataDir).keyFile, keyStore: null, recoveryKey: t.recoveryKey });
      const store = await openStoreWithDataKey({ dataDir: t.dataDir, dataKey, unlockedVia: 'recovery', auditCheckpointEvery: 5 });
      for (let i = 0; i < 12; i++) store.audit.record({ kind: 'auditLogUsed', action: 'R', outcome: 'success', detail: { n: i } });
      const db = store.database;
      await store.close();
      expect(db.open).toBe(false);
      const again = await t.open();
      const sizes = (again.database.prepare('SELECT size FROM audit_checkpoints ORDER BY size').all() as { size: number }[]).map((r) => r.size);
      const total = (again.database.prepare('SELECT max(seq) AS n FROM audit').get() as { n: number }).n;
      await again.close();
      // Init wrote 3 entries (created, start, stop: checkpoint 3); this session: start + 12, every 5 -> 8, 13; stop 17.
      expect(sizes).toEqual([3, 8, 13, 17]);
      expect(total).toBe(18); // the reopen's start; its stop (19) is checkpointed at close
      const kf = JSON.parse(readFileSync(path.join(t.dataDir, 'audit-key.json'), 'utf8')) as Record<string, string>;
      const outside = openCheckpoint(readFileSync(path.join(t.dataDir, 'audit-checkpoint.txt'), 'utf8'), Buffer.from(kf['publicKey']!, 'base64'));
      expect(outside).toMatchObject({ ok: true, checkpoint: { size: 19 } });
      expect(kf['where']).toBe('file');
      expect(Object.keys(kf).sort()).toEqual(['ct', 'format', 'iv', 'publicKey', 'tag', 'version', 'where']);
    } finally {
      t.cleanup();
    }
  });
});
