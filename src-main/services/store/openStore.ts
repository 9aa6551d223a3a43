// Creating and opening the encrypted store of one data directory: keys first, then the database
// (derived raw key), then the blob vault. Every failure is a typed AppError the UI can explain.
import { promises as fsp } from 'node:fs';
import { AppError } from '../../../src-shared/errors';
import { systemClock, type Clock } from '../audit/auditService';
import { openAuditTrail } from '../audit/auditTrail';
import { openDatabase, type Db } from '../db/database';
import { migrate } from '../db/migrate';
import { createKeys, unlockDataKey } from '../keys/dataKeyVault';
import { deriveSubkey } from '../keys/keyDerivation';
import type { KeyStore } from '../keys/keyStore';
import { BlobVault } from './blobVault';
import { dataDirLayout } from './dataDirLayout';
import { EncryptedStudyStore } from './encryptedStudyStore';
import { OpaqueIds } from './opaqueIds';
import { WriterRegistry } from './writerRegistry';

export interface InitStoreOptions {
  dataDir: string;
  /** null: no keychain on this machine, the store opens with the recovery key only. */
  keyStore: KeyStore | null;
  clock?: Clock;
}

export interface InitStoreResult {
  /** Show once (or write to a 0600 file); it is not kept anywhere. */
  recoveryKey: string;
  storeId: string;
  keychain: boolean;
}

export interface OpenStoreOptions {
  dataDir: string;
  keyStore: KeyStore | null;
  /** As typed; when given it unlocks the store instead of the keychain. */
  recoveryKey?: string;
  /** After a recovery-key open, store a new keychain secret for next time (default true). */
  rewrapKeychain?: boolean;
  /**
   * Remove orphan blobs and temp files left by a killed process (default true). Skipped by itself while another
   * live process has the directory open; pass false for a second connection in the same process (e.g. a worker).
   */
  sweepOrphans?: boolean;
  clock?: Clock;
  user?: string;
  /** The blob writer thread's script (tests running from source); default: the bundled one, if any. */
  blobWriterScript?: string | null;
}

export interface OpenStoreWithKeyOptions {
  dataDir: string;
  dataKey: Buffer;
  sweepOrphans?: boolean;
  clock?: Clock;
  user?: string;
  /** How the key was obtained, for the audit trail. */
  unlockedVia?: 'keychain' | 'recovery' | 'handoff';
  /** Where the audit signing key may live (null or absent: the key file wrapped by the data key). */
  keyStore?: KeyStore | null;
  /** Audit checkpoint interval in entries (tests and the bench). */
  auditCheckpointEvery?: number;
  /** The blob writer thread's script (tests running from source); default: the bundled one, if any. */
  blobWriterScript?: string | null;
}

async function exists(p: string): Promise<boolean> {
  return fsp.stat(p).then(
    () => true,
    () => false,
  );
}

export async function initStore(o: InitStoreOptions): Promise<InitStoreResult> {
  const l = dataDirLayout(o.dataDir);
  await fsp.mkdir(l.root, { recursive: true, mode: 0o700 });
  if ((await exists(l.keyFile)) || (await exists(l.dbFile))) {
    throw new AppError('STORE_EXISTS', 'This data directory already holds an Enclave store.');
  }
  const keys = await createKeys(l.keyFile, o.keyStore);
  const store = await openStoreWithDataKey({ dataDir: o.dataDir, dataKey: keys.dataKey, clock: o.clock, unlockedVia: 'handoff', keyStore: o.keyStore }, true);
  store.audit.record({
    kind: 'applicationActivity',
    eventType: 'securityConfiguration',
    action: 'C',
    outcome: 'success',
    objects: [{ type: 'store', id: `store-${keys.storeId}` }],
    detail: { op: 'storeCreated', keychain: keys.keychain },
  });
  await store.close();
  return { recoveryKey: keys.recoveryKey, storeId: keys.storeId, keychain: keys.keychain };
}

export async function openStore(o: OpenStoreOptions): Promise<EncryptedStudyStore & { unlockedVia: 'keychain' | 'recovery'; keychainRewrapped: boolean }> {
  const l = dataDirLayout(o.dataDir);
  if (!(await exists(l.keyFile))) {
    if (await exists(l.dbFile)) {
      throw new AppError('DB_KEY_UNAVAILABLE', 'The key file (keys.json) is missing from the data directory. Restore it from a backup; nothing was changed.');
    }
    throw new AppError('STORE_NOT_INITIALIZED', 'There is no Enclave store in this data directory yet.');
  }
  const unlocked = await unlockDataKey({
    keyFilePath: l.keyFile,
    keyStore: o.keyStore,
    ...(o.recoveryKey !== undefined ? { recoveryKey: o.recoveryKey } : {}),
    ...(o.rewrapKeychain !== undefined ? { rewrapKeychain: o.rewrapKeychain } : {}),
  });
  const store = await openStoreWithDataKey({
    dataDir: o.dataDir,
    dataKey: unlocked.dataKey,
    sweepOrphans: o.sweepOrphans,
    clock: o.clock,
    user: o.user,
    unlockedVia: unlocked.via,
    keyStore: o.keyStore,
    ...(o.blobWriterScript !== undefined ? { blobWriterScript: o.blobWriterScript } : {}),
  });
  return Object.assign(store, { unlockedVia: unlocked.via, keychainRewrapped: unlocked.keychainRewrapped });
}

/** Opens with a data key already unlocked (e.g. handed to an import worker). */
export async function openStoreWithDataKey(o: OpenStoreWithKeyOptions, creating = false): Promise<EncryptedStudyStore> {
  const l = dataDirLayout(o.dataDir);
  const vault = new BlobVault(l.blobsDir, l.tmpDir, deriveSubkey(o.dataKey, 'blob'));
  let create = creating;
  if (!creating && !(await exists(l.dbFile))) {
    // Only a store that never held anything may get a fresh database (init killed between keys and db).
    if ((await vault.listNames()).length > 0) {
      throw new AppError('DB_CORRUPT', 'The database file is missing while image files remain. Restore enclave.db from a backup; nothing was changed.');
    }
    create = true;
  }
  await vault.ensureDirs();
  const dbKey = deriveSubkey(o.dataKey, 'db');
  const db: Db = openDatabase({ file: l.dbFile, key: dbKey, create });
  let store: EncryptedStudyStore;
  try {
    migrate(db);
    store = new EncryptedStudyStore({ db, vault, ids: new OpaqueIds(deriveSubkey(o.dataKey, 'id')), clock: o.clock ?? systemClock, user: o.user, blobWriterScript: o.blobWriterScript });
  } catch (e) {
    db.close();
    throw e;
  }
  try {
    // Verified before this process appends anything: a break found here names the first bad entry exactly.
    // A second connection (sweepOrphans false, e.g. an import worker) leaves verifying to the one that owns the directory.
    const trail = await openAuditTrail({
      dataDir: o.dataDir,
      dataKey: o.dataKey,
      keyStore: o.keyStore ?? null,
      checkpointEvery: o.auditCheckpointEvery,
      database: { file: l.dbFile, key: dbKey },
    });
    await store.audit.attachTrail(trail, { verify: o.sweepOrphans !== false });
  } catch (e) {
    db.close();
    throw e;
  }
  if (o.sweepOrphans !== false) {
    const registry = new WriterRegistry(o.dataDir);
    if (await registry.register()) await store.sweepOrphans();
    store.onClose(() => registry.unregister());
  }
  store.audit.record({
    kind: 'applicationActivity',
    eventType: 'applicationStart',
    action: 'E',
    outcome: 'success',
    detail: { unlock: o.unlockedVia ?? 'handoff' },
  });
  return store;
}
