import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dicomFilesIn, loadInstances, PHANTOMS, type PhantomInstance } from './fixtures/phantomMeta';
import { allFiles, filesContaining, makeTempStore, type TempStore } from './fixtures/tempStore';
import { codeOfAsync } from '../../tools/errorCode';

let ct: PhantomInstance[];
let phi: PhantomInstance;
const stores: TempStore[] = [];

beforeAll(() => {
  ct = loadInstances(dicomFilesIn(path.join(PHANTOMS, 'ct-axial')).slice(0, 12));
  phi = loadInstances([path.join(PHANTOMS, 'deid', 'phi-everywhere.dcm')])[0]!;
});

afterEach(() => {
  for (const s of stores.splice(0)) s.cleanup();
});

async function fresh(clock?: { now(): number }) {
  const t = await makeTempStore(clock);
  stores.push(t);
  return t;
}

function blobPathOf(dataDir: string, store: Awaited<ReturnType<TempStore['open']>>, instanceId: string): string {
  const row = store.database.prepare('SELECT blob_name FROM instances WHERE instance_id = ?').get(instanceId) as { blob_name: string };
  return path.join(dataDir, 'blobs', row.blob_name.slice(0, 2), row.blob_name.slice(2));
}

describe('EncryptedStudyStore', () => {
  it('stores a series and gives back the exact original bytes, with patient/study/series summaries', async () => {
    const t = await fresh();
    const store = await t.open();
    const results = await store.addInstances(ct.map((c) => ({ meta: c.meta, bytes: c.bytes, sha256: c.sha256 })));
    expect(results.every((r) => r === 'added')).toBe(true);
    await store.close();

    const again = await t.open();
    const studies = await again.listStudies();
    expect(studies).toHaveLength(1);
    expect(studies[0]!.patientName).toBe('Phantom^Patricia');
    expect(studies[0]!.instanceCount).toBe(ct.length);
    expect(studies[0]!.modalities).toEqual(['CT']);
    // Ids leaving the store are opaque: no UID in them.
    expect(studies[0]!.studyId).toMatch(/^st-[0-9a-f]{32}$/);
    const series = await again.listSeries(studies[0]!.studyId);
    expect(series).toHaveLength(1);
    const instances = await again.listInstances(series[0]!.seriesId);
    expect(instances.map((i) => i.meta.sopInstanceUid).sort()).toEqual(ct.map((c) => c.meta.sopInstanceUid).sort());
    for (const inst of instances) {
      const original = ct.find((c) => c.meta.sopInstanceUid === inst.meta.sopInstanceUid)!;
      const bytes = await again.readInstanceBytes(inst.instanceId);
      expect(Buffer.compare(Buffer.from(bytes), original.bytes)).toBe(0);
      expect(inst.sha256).toBe(original.sha256);
      expect(inst.size).toBe(original.bytes.length);
    }
    // Instance numbers come back in order.
    const numbers = instances.map((i) => i.meta.instanceNumber ?? 0);
    expect([...numbers].sort((a, b) => a - b)).toEqual(numbers);
    await again.close();
  });

  it('skips the same file twice, keeps a different file with the same UID aside', async () => {
    const t = await fresh();
    const store = await t.open();
    const a = ct[0]!;
    expect(await store.addInstance(a.meta, a.bytes, a.sha256)).toBe('added');
    expect(await store.addInstance(a.meta, a.bytes, a.sha256)).toBe('duplicate');
    const other = Buffer.from(a.bytes);
    other[other.length - 1] = other[other.length - 1]! ^ 0xff;
    const otherSha = createHash('sha256').update(other).digest('hex');
    expect(await store.addInstance(a.meta, other, otherSha)).toBe('conflict');
    expect(await store.addInstance(a.meta, other, otherSha)).toBe('conflict');
    // Within one batch too.
    const b = ct[1]!;
    expect(await store.addInstances([{ ...b }, { ...b }])).toEqual(['added', 'duplicate']);
    const conflicts = store.database.prepare('SELECT count(*) AS n FROM instance_conflicts').get() as { n: number };
    expect(conflicts.n).toBe(1);
    // The stored instance is still the first one.
    const inst = (await store.listInstances((await store.listSeries((await store.listStudies())[0]!.studyId))[0]!.seriesId)).find(
      (i) => i.meta.sopInstanceUid === a.meta.sopInstanceUid,
    )!;
    expect(inst.sha256).toBe(a.sha256);
    await store.close();
  });

  it('detects one flipped byte on read: INTEGRITY_TAMPERED, the instance is marked, a Security Alert is recorded', async () => {
    const t = await fresh();
    const store = await t.open();
    await store.addInstances(ct.slice(0, 3).map((c) => ({ meta: c.meta, bytes: c.bytes, sha256: c.sha256 })));
    const series = await store.listSeries((await store.listStudies())[0]!.studyId);
    const [victim, intact] = await store.listInstances(series[0]!.seriesId);
    const file = blobPathOf(t.dataDir, store, victim!.instanceId);
    const enc = readFileSync(file);
    const mid = Math.floor(enc.length / 2);
    enc[mid] = enc[mid]! ^ 0x01;
    writeFileSync(file, enc);

    expect(await codeOfAsync(store.readInstanceBytes(victim!.instanceId))).toBe('INTEGRITY_TAMPERED');
    // Still refused on the next read, and the intact one still reads.
    expect(await codeOfAsync(store.readInstanceBytes(victim!.instanceId))).toBe('INTEGRITY_TAMPERED');
    expect((await store.readInstanceBytes(intact!.instanceId)).length).toBe(intact!.size);
    expect(store.listTampered()).toEqual([victim!.instanceId]);
    const alerts = store.audit.list().filter((e) => e.eventId === '110113');
    expect(alerts).toHaveLength(1);
    // The audit service adds the instance's SOP Instance UID and class to the opaque id (inside the encryption).
    expect(alerts[0]!.objects).toContainEqual(expect.objectContaining({ type: 'instance', id: victim!.instanceId, uid: expect.stringMatching(/^1\.2\./) }));
    expect(alerts[0]!.detail).toMatchObject({ code: 'INTEGRITY_TAMPERED', reason: 'authentication' });

    // Re-importing the original heals it.
    const orig = ct.find((c) => c.meta.sopInstanceUid === victim!.meta.sopInstanceUid)!;
    expect(await store.addInstance(orig.meta, orig.bytes, orig.sha256)).toBe('added');
    expect(Buffer.compare(Buffer.from(await store.readInstanceBytes(victim!.instanceId)), orig.bytes)).toBe(0);
    await store.close();
  });

  it('verifyAll re-hashes everything and reports swapped, truncated and deleted blobs', async () => {
    const t = await fresh();
    const store = await t.open();
    await store.addInstances(ct.slice(0, 6).map((c) => ({ meta: c.meta, bytes: c.bytes, sha256: c.sha256 })));
    const list = await store.listInstances((await store.listSeries((await store.listStudies())[0]!.studyId))[0]!.seriesId);
    const [a, b, c, d] = list.map((i) => blobPathOf(t.dataDir, store, i.instanceId));
    // Swap two valid blobs: each still decrypts under its own name? No: the name is authenticated.
    const ba = readFileSync(a!);
    writeFileSync(a!, readFileSync(b!));
    writeFileSync(b!, ba);
    writeFileSync(c!, readFileSync(c!).subarray(0, 100));
    expect(existsSync(d!)).toBe(true);
    (await import('node:fs')).rmSync(d!);
    const r = await store.verifyAll();
    expect(r.checked).toBe(6);
    expect(r.tampered.sort()).toEqual(list.slice(0, 4).map((i) => i.instanceId).sort());
    expect(store.audit.list().filter((e) => e.eventId === '110113')).toHaveLength(4);
    await store.close();
  });

  it('purges one study, everything, and by retention; rows, blobs and PHI are gone, the audit stays', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const t = await fresh({ now: () => now });
    const store = await t.open();
    await store.addInstances(ct.slice(0, 4).map((c) => ({ meta: c.meta, bytes: c.bytes, sha256: c.sha256 })));
    now += 86_400_000;
    // The PHI phantom shares ct-axial's study UID; give it its own study here.
    const phiMeta = { ...phi.meta, studyInstanceUid: `${phi.meta.studyInstanceUid}.99`, seriesInstanceUid: `${phi.meta.seriesInstanceUid}.99`, sopInstanceUid: `${phi.meta.sopInstanceUid}.99` };
    await store.addInstance(phiMeta, phi.bytes, phi.sha256);
    const studies = await store.listStudies();
    expect(studies).toHaveLength(2);
    const phiStudy = studies.find((s) => s.patientName.includes('ZZPHI'))!;
    const ctStudy = studies.find((s) => s !== phiStudy)!;

    // Retention: at day 40 with 30 days, the CT study (imported day 0) is due; the PHI study was opened on day 20.
    now = Date.parse('2026-01-21T00:00:00Z');
    store.markAccessed(phiStudy.studyId);
    const r = await store.applyRetention(30, Date.parse('2026-02-10T00:00:00Z'));
    expect(r.purged).toEqual([ctStudy.studyId]);
    expect((await store.listStudies()).map((s) => s.studyId)).toEqual([phiStudy.studyId]);
    expect(allFiles(path.join(t.dataDir, 'blobs'))).toHaveLength(1);

    await store.purgeStudy(phiStudy.studyId);
    expect(await store.listStudies()).toEqual([]);
    expect(allFiles(path.join(t.dataDir, 'blobs'))).toHaveLength(0);
    const counts = store.database.prepare('SELECT (SELECT count(*) FROM patients) p, (SELECT count(*) FROM instances) i').get();
    expect(counts).toEqual({ p: 0, i: 0 });
    const deleted = store.audit.list().filter((e) => e.eventId === '110105');
    expect(deleted.map((e) => e.detail.reason)).toEqual(['retention', 'user']);
    expect(store.audit.list().filter((e) => e.eventId === '110103')).toHaveLength(1);

    await store.addInstances(ct.slice(0, 2).map((c) => ({ meta: c.meta, bytes: c.bytes, sha256: c.sha256 })));
    expect(await store.purgeAll()).toEqual({ studies: 1 });
    expect(await store.listStudies()).toEqual([]);
    expect(allFiles(path.join(t.dataDir, 'blobs'))).toHaveLength(0);
    await store.close();
  });

  it('leaves nothing identifying in plaintext anywhere in the data directory (db, -wal, -shm, blobs, keys)', async () => {
    const t = await fresh();
    const store = await t.open();
    await store.addInstance(phi.meta, phi.bytes, phi.sha256);
    await store.addInstances(ct.map((c) => ({ meta: c.meta, bytes: c.bytes, sha256: c.sha256 })));
    store.createImportJob({ paths: ['/media/cdrom/Phantom^Patricia'] });
    store.markAccessed((await store.listStudies())[0]!.studyId);
    // The file really holds the tokens: the search would find them in plaintext.
    expect(phi.bytes.includes(Buffer.from('ZZPHI'))).toBe(true);
    const tokens = ['Phantom^Patricia', 'PH-0001', 'ZZPHI', '19310417', '1.2.826.0.1.3680043.10.1234', phi.meta.sopInstanceUid];
    // While open (WAL and SHM present) ...
    expect(statSync(path.join(t.dataDir, 'enclave.db-wal')).size).toBeGreaterThan(100_000);
    for (const tok of tokens) expect(filesContaining(t.dataDir, tok), tok).toEqual([]);
    await store.close();
    // ... and after close.
    for (const tok of tokens) expect(filesContaining(t.dataDir, tok), tok).toEqual([]);
    const reopened = await t.open();
    expect((await reopened.listStudies()).some((s) => s.patientName.includes('ZZPHI'))).toBe(true);
    await reopened.purgeAll();
    await reopened.close();
    for (const tok of tokens) expect(filesContaining(t.dataDir, tok), tok).toEqual([]);
  });

  it('sweeps orphan blobs and temp files left by a killed import at open, keeps referenced ones', async () => {
    const t = await fresh();
    const store = await t.open();
    await store.addInstance(ct[0]!.meta, ct[0]!.bytes, ct[0]!.sha256);
    await store.close();
    const orphan = path.join(t.dataDir, 'blobs', 'ab', 'c'.repeat(30));
    (await import('node:fs')).mkdirSync(path.dirname(orphan), { recursive: true });
    writeFileSync(orphan, 'x');
    writeFileSync(path.join(t.dataDir, 'tmp', 'deadbeef.tmp'), 'y');
    const again = await t.open();
    expect(existsSync(orphan)).toBe(false);
    expect(allFiles(path.join(t.dataDir, 'tmp'))).toEqual([]);
    expect(allFiles(path.join(t.dataDir, 'blobs'))).toHaveLength(1);
    const inst = (await again.listInstances((await again.listSeries((await again.listStudies())[0]!.studyId))[0]!.seriesId))[0]!;
    expect(Buffer.compare(Buffer.from(await again.readInstanceBytes(inst.instanceId)), ct[0]!.bytes)).toBe(0);
    await again.close();
  });

  it('keeps each blob key salt only in the database row, so a purged blob cannot be decrypted from leftover bytes', async () => {
    const t = await fresh();
    const store = await t.open();
    await store.addInstance(ct[0]!.meta, ct[0]!.bytes, ct[0]!.sha256);
    const row = store.database.prepare('SELECT blob_name, blob_salt FROM instances').get() as { blob_name: string; blob_salt: Buffer };
    expect(row.blob_salt).toHaveLength(16);
    const file = readFileSync(path.join(t.dataDir, 'blobs', row.blob_name.slice(0, 2), row.blob_name.slice(2)));
    expect(file.includes(row.blob_salt)).toBe(false);
    // Only header, ciphertext and tag: no room for key material.
    expect(file.length).toBe(ct[0]!.bytes.length + 20 + 16);
    await store.close();
  });

  it('does not sweep while another live process has the data directory open', async () => {
    const t = await fresh();
    await (await t.open()).close();
    const orphan = path.join(t.dataDir, 'blobs', 'cd', 'e'.repeat(30));
    (await import('node:fs')).mkdirSync(path.dirname(orphan), { recursive: true });
    writeFileSync(orphan, 'in flight');
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      writeFileSync(path.join(t.dataDir, 'writers', String(other.pid)), '');
      await (await t.open()).close();
      expect(existsSync(orphan)).toBe(true);
    } finally {
      other.kill('SIGKILL');
      await new Promise((r) => other.once('exit', r));
    }
    // The other process is gone: its registration is stale and the orphan goes.
    await (await t.open()).close();
    expect(existsSync(orphan)).toBe(false);
    expect(allFiles(path.join(t.dataDir, 'writers'))).toEqual([]);
  });

  it('refuses to open a store written by a newer Enclave (DB_NEWER_VERSION), and touches nothing', async () => {
    const t = await fresh();
    const store = await t.open();
    await store.addInstance(ct[0]!.meta, ct[0]!.bytes, ct[0]!.sha256);
    store.database.pragma('user_version = 9999');
    await store.close();
    const before = allFiles(t.dataDir).map((f) => [f, readFileSync(f).length]);
    expect(await codeOfAsync(t.open())).toBe('DB_NEWER_VERSION');
    expect(allFiles(t.dataDir).map((f) => [f, readFileSync(f).length])).toEqual(before);
  });

  it('refuses bad input with typed errors and keeps what is stored', async () => {
    const t = await fresh();
    const store = await t.open();
    const a = ct[0]!;
    expect(await codeOfAsync(store.addInstance(a.meta, a.bytes, 'nothex'))).toBe('INVALID_REQUEST');
    expect(await codeOfAsync(store.addInstance({ ...a.meta, sopInstanceUid: '' }, a.bytes, a.sha256))).toBe('INVALID_REQUEST');
    expect(await codeOfAsync(store.readInstanceBytes('in-0000'))).toBe('NOT_FOUND');
    expect(await codeOfAsync(store.purgeStudy('st-0000'))).toBe('NOT_FOUND');
    expect(await codeOfAsync(store.applyRetention(0))).toBe('INVALID_REQUEST');
    expect(await store.listStudies()).toEqual([]);
    await store.close();
    expect(await codeOfAsync(store.listStudies())).toBe('STORE_LOCKED');
  });
});
