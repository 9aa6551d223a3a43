// The encrypted cache's lifecycle as the app sees it: not yet created, locked (keychain locked or absent:
// the recovery key is offered openly), or open. A missing keychain secret never creates a new key.
import { AppError, isAppError, type ErrorCode } from '../../../src-shared/errors';
import type { StoreStatus } from '../../../src-shared/ipc/contract';
import { unlockDataKey, type UnlockOptions } from '../keys/dataKeyVault';
import { readKeyFile } from '../keys/keyFile';
import type { KeyStore } from '../keys/keyStore';
import { dataDirLayout } from '../store/dataDirLayout';
import type { EncryptedStudyStore } from '../store/encryptedStudyStore';
import { initStore, openStoreWithDataKey } from '../store/openStore';
import type { StudyStore } from '../store/studyStore';

const LOCKED_CODES: ErrorCode[] = ['DB_KEY_UNAVAILABLE', 'KEYCHAIN_UNAVAILABLE', 'KEYCHAIN_LOCKED', 'RECOVERY_KEY_INVALID', 'AUTH_REQUIRED'];

export interface CacheSession {
  current(): StoreStatus;
  init(): Promise<{ recoveryKey: string; keychain: boolean }>;
  unlockWithRecoveryKey(recoveryKey: string): Promise<StoreStatus>;
  get(): StudyStore;
}

/** A cache that is simply open (the browser harness and tests without keys). */
export function openCache(store: StudyStore): CacheSession {
  return {
    current: () => ({ state: 'open' }),
    init: async () => { throw new AppError('STORE_EXISTS', 'The study cache already exists.'); },
    unlockWithRecoveryKey: async () => ({ state: 'open' }),
    get: () => store,
  };
}

export class StoreSession implements CacheSession {
  private store: EncryptedStudyStore | null = null;
  private status: StoreStatus = { state: 'uninitialized' };
  /** The data key while the store is open: an administrator's session wraps it for new or reset passwords. */
  private key: Buffer | null = null;
  private readonly openHooks: ((store: EncryptedStudyStore) => void)[] = [];

  /**
   * `retentionDays`: studies not opened for that long are purged each time the cache opens (IT policy).
   * `onOpen`: runs first whenever the store opens (keychain, recovery key or first set-up): policyWiring
   * writes the audit events held while it was locked there.
   */
  constructor(
    private readonly dataDir: string,
    private readonly keyStore: KeyStore | null,
    private readonly retentionDays?: number,
    private readonly onOpen?: (store: EncryptedStudyStore) => void,
  ) {}

  /**
   * Tries the keychain; leaves the session uninitialized, locked or open (never throws for those). Once any user
   * account wraps the data key (issue 11) the keychain no longer opens the store at start: a login does
   * (openWithDataKey), and until then the state is locked with AUTH_REQUIRED.
   */
  async start(): Promise<StoreStatus> {
    try {
      const kf = await readKeyFile(this.keyFilePath);
      if (kf?.wraps.some((w) => w.type === 'password')) {
        this.status = { state: 'locked', error: new AppError('AUTH_REQUIRED', 'Log in to open the study cache.').toInfo() };
        return this.status;
      }
      await this.openVia({ keyFilePath: this.keyFilePath, keyStore: this.keyStore });
    } catch (e) {
      this.status = this.statusFor(e);
    }
    return this.status;
  }

  get keyFilePath(): string {
    return dataDirLayout(this.dataDir).keyFile;
  }

  /** Runs whenever the store opens, before `onOpen` (the accounts plug their user directory into the audit here). */
  beforeOpen(hook: (store: EncryptedStudyStore) => void): void {
    this.openHooks.push(hook);
  }

  /** The open encrypted store, or null. */
  encrypted(): EncryptedStudyStore | null {
    return this.store;
  }

  /** The data key while the store is open (never copied out of main), else null. */
  dataKey(): Buffer | null {
    return this.key;
  }

  /** Opens with a data key a user's password unwrapped; an open store stays as it is (there is one data key). */
  async openWithDataKey(dataKey: Buffer): Promise<EncryptedStudyStore> {
    if (this.store) return this.store;
    this.store = await this.opened(openStoreWithDataKey({ dataDir: this.dataDir, dataKey, unlockedVia: 'handoff', keyStore: this.keyStore }));
    this.key = Buffer.from(dataKey);
    this.status = { state: 'open' };
    return this.store;
  }

  current(): StoreStatus {
    return this.status;
  }

  /** First run: creates the store; the recovery key is returned once and kept nowhere. */
  async init(): Promise<{ recoveryKey: string; keychain: boolean }> {
    if (this.status.state !== 'uninitialized') throw new AppError('STORE_EXISTS', 'The study cache already exists.');
    // No keychain at all on this machine (headless Linux): the store is made with its recovery key only, and the
    // answer says so (keychain: false). A locked keychain is not "none": that error goes to the user.
    const created = await initStore({ dataDir: this.dataDir, keyStore: this.keyStore }).catch((e: unknown) => {
      if (this.keyStore && isAppError(e) && e.code === 'KEYCHAIN_UNAVAILABLE') return initStore({ dataDir: this.dataDir, keyStore: null });
      throw e;
    });
    await this.openVia({ keyFilePath: this.keyFilePath, keyStore: this.keyStore, recoveryKey: created.recoveryKey, rewrapKeychain: false });
    return { recoveryKey: created.recoveryKey, keychain: created.keychain };
  }

  async unlockWithRecoveryKey(recoveryKey: string): Promise<StoreStatus> {
    if (this.status.state === 'open') return this.status;
    // A wrong key throws RECOVERY_KEY_INVALID and leaves the session locked: nothing on disk changes.
    await this.openVia({ keyFilePath: this.keyFilePath, keyStore: this.keyStore, recoveryKey });
    return this.status;
  }

  /** The open store, or STORE_LOCKED so the UI can show the unlock screen. */
  get(): StudyStore {
    if (!this.store) throw new AppError('STORE_LOCKED', 'The study cache is locked.');
    return this.store;
  }

  /** Closes the store and forgets the data key; with user accounts the next login opens it again. */
  async close(): Promise<void> {
    const store = this.store;
    this.store = null;
    this.key?.fill(0);
    this.key = null;
    if (store && this.status.state === 'open') {
      this.status = { state: 'locked', error: new AppError('AUTH_REQUIRED', 'Log in to open the study cache.').toInfo() };
    }
    await store?.close();
  }

  private async openVia(o: UnlockOptions): Promise<void> {
    const unlocked = await unlockDataKey(o);
    try {
      this.store = await this.opened(openStoreWithDataKey({ dataDir: this.dataDir, dataKey: unlocked.dataKey, unlockedVia: unlocked.via, keyStore: this.keyStore }));
      this.key = unlocked.dataKey;
      this.status = { state: 'open' };
    } catch (e) {
      unlocked.dataKey.fill(0);
      throw e;
    }
  }

  private async opened(pending: Promise<EncryptedStudyStore>): Promise<EncryptedStudyStore> {
    const store = await pending;
    try {
      for (const hook of this.openHooks) hook(store);
      this.onOpen?.(store);
      if (this.retentionDays !== undefined) await store.applyRetention(this.retentionDays);
    } catch (e) {
      // The session reports the failure; it must not leave a store open that nothing will close.
      await store.close().catch(() => undefined);
      throw e;
    }
    return store;
  }

  private statusFor(e: unknown): StoreStatus {
    if (isAppError(e) && e.code === 'STORE_NOT_INITIALIZED') return { state: 'uninitialized' };
    if (isAppError(e) && LOCKED_CODES.includes(e.code)) return { state: 'locked', error: e.toInfo() };
    const err = isAppError(e) ? e : new AppError('INTERNAL', 'The study cache could not be opened.', { cause: e });
    return { state: 'error', error: err.toInfo() };
  }
}
