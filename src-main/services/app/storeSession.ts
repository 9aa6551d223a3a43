// The encrypted cache's lifecycle as the app sees it: not yet created, locked (keychain locked or absent:
// the recovery key is offered openly), or open. A missing keychain secret never creates a new key.
import { AppError, isAppError, type ErrorCode } from '../../../src-shared/errors';
import type { StoreStatus } from '../../../src-shared/ipc/contract';
import type { KeyStore } from '../keys/keyStore';
import type { EncryptedStudyStore } from '../store/encryptedStudyStore';
import { initStore, openStore } from '../store/openStore';
import type { StudyStore } from '../store/studyStore';

const LOCKED_CODES: ErrorCode[] = ['DB_KEY_UNAVAILABLE', 'KEYCHAIN_UNAVAILABLE', 'KEYCHAIN_LOCKED', 'RECOVERY_KEY_INVALID'];

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
  private store: StudyStore | null = null;
  private status: StoreStatus = { state: 'uninitialized' };

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

  /** Tries the keychain; leaves the session uninitialized, locked or open (never throws for those). */
  async start(): Promise<StoreStatus> {
    try {
      this.store = await this.opened(openStore({ dataDir: this.dataDir, keyStore: this.keyStore }));
      this.status = { state: 'open' };
    } catch (e) {
      this.status = this.statusFor(e);
    }
    return this.status;
  }

  current(): StoreStatus {
    return this.status;
  }

  /** First run: creates the store; the recovery key is returned once and kept nowhere. */
  async init(): Promise<{ recoveryKey: string; keychain: boolean }> {
    if (this.status.state !== 'uninitialized') throw new AppError('STORE_EXISTS', 'The study cache already exists.');
    const created = await initStore({ dataDir: this.dataDir, keyStore: this.keyStore });
    this.store = await this.opened(openStore({ dataDir: this.dataDir, keyStore: this.keyStore, recoveryKey: created.recoveryKey }));
    this.status = { state: 'open' };
    return { recoveryKey: created.recoveryKey, keychain: created.keychain };
  }

  async unlockWithRecoveryKey(recoveryKey: string): Promise<StoreStatus> {
    if (this.status.state === 'open') return this.status;
    // A wrong key throws RECOVERY_KEY_INVALID and leaves the session locked: nothing on disk changes.
    this.store = await this.opened(openStore({ dataDir: this.dataDir, keyStore: this.keyStore, recoveryKey }));
    this.status = { state: 'open' };
    return this.status;
  }

  /** The open store, or STORE_LOCKED so the UI can show the unlock screen. */
  get(): StudyStore {
    if (!this.store) throw new AppError('STORE_LOCKED', 'The study cache is locked.');
    return this.store;
  }

  async close(): Promise<void> {
    await this.store?.close();
    this.store = null;
  }

  private async opened(pending: Promise<EncryptedStudyStore>): Promise<EncryptedStudyStore> {
    const store = await pending;
    try {
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
