// Creating and unlocking the data key. The rule that matters: a key that cannot be obtained is an
// error the user sees (DB_KEY_UNAVAILABLE / KEYCHAIN_UNAVAILABLE), never a reason to make a new one.
import { randomBytes } from 'node:crypto';
import { AppError } from '../../../src-shared/errors';
import {
  keychainAccount,
  newStoreId,
  readKeyFile,
  unwrapWithKeychainSecret,
  unwrapWithRecoveryKey,
  wrapWithKeychainSecret,
  wrapWithRecoveryKey,
  writeKeyFile,
  type KeyFile,
  type KeychainWrap,
  type RecoveryWrap,
} from './keyFile';
import type { KeyStore } from './keyStore';
import { KEYCHAIN_SERVICE } from './keytarKeyStore';
import { formatRecoveryKey, generateRecoveryKeyBytes, parseRecoveryKey } from './recoveryKey';

export interface CreatedKeys {
  storeId: string;
  dataKey: Buffer;
  /** Shown to the user once; not stored anywhere. */
  recoveryKey: string;
  /** False when the store was created without a keychain (recovery key only). */
  keychain: boolean;
}

/** Makes a new data key and its wraps. keyStore null = no keychain on this machine: recovery key only. */
export async function createKeys(keyFilePath: string, keyStore: KeyStore | null): Promise<CreatedKeys> {
  const storeId = newStoreId();
  const dataKey = randomBytes(32);
  const recovery = generateRecoveryKeyBytes();
  const wraps: KeyFile['wraps'] = [await wrapWithRecoveryKey(dataKey, storeId, recovery)];
  if (keyStore) {
    const secret = randomBytes(32);
    await keyStore.set(keychainAccount(storeId), secret.toString('base64'));
    wraps.unshift(wrapWithKeychainSecret(dataKey, storeId, KEYCHAIN_SERVICE, secret));
  }
  try {
    await writeKeyFile(keyFilePath, { format: 'enclave-keys', version: 1, storeId, wraps });
  } catch (e) {
    if (keyStore) await keyStore.delete(keychainAccount(storeId)).catch(() => false);
    throw new AppError('INTERNAL', 'The key file could not be written.', { cause: e });
  }
  return { storeId, dataKey, recoveryKey: formatRecoveryKey(recovery), keychain: keyStore !== null };
}

export interface UnlockOptions {
  keyFilePath: string;
  keyStore: KeyStore | null;
  /** As typed by the user (groups, any case). When given, the keychain is not consulted for the key. */
  recoveryKey?: string;
  /** After a recovery-key unlock, put a fresh secret in this machine's keychain so next time needs no recovery key. Default true. */
  rewrapKeychain?: boolean;
}

export interface UnlockedKey {
  storeId: string;
  dataKey: Buffer;
  via: 'keychain' | 'recovery';
  keychainRewrapped: boolean;
}

function findWrap<T extends KeyFile['wraps'][number]['type']>(kf: KeyFile, type: T) {
  return kf.wraps.find((w) => w.type === type) as Extract<KeyFile['wraps'][number], { type: T }> | undefined;
}

export async function unlockDataKey(o: UnlockOptions): Promise<UnlockedKey> {
  const kf = await readKeyFile(o.keyFilePath);
  if (!kf) throw new AppError('STORE_NOT_INITIALIZED', 'There is no key file in this data directory.');
  if (o.recoveryKey !== undefined) return unlockWithRecovery(o, kf, o.recoveryKey);

  const kw = findWrap(kf, 'keychain');
  if (!o.keyStore || !kw) {
    throw new AppError('DB_KEY_UNAVAILABLE', 'This store is not unlocked by a keychain here: open it with the recovery key.');
  }
  const secret = await o.keyStore.get(kw.account);
  if (secret === null) {
    throw new AppError(
      'DB_KEY_UNAVAILABLE',
      "The keychain did not give Enclave's key. If your keychain is locked, unlock it and try again; otherwise open the store with the recovery key. Nothing was changed.",
    );
  }
  const dataKey = unwrapWithKeychainSecret(kw, kf.storeId, Buffer.from(secret, 'base64'));
  if (!dataKey) {
    throw new AppError('DB_WRONG_KEY', 'The key in the keychain does not open this store (it may belong to another installation). Open it with the recovery key.');
  }
  return { storeId: kf.storeId, dataKey, via: 'keychain', keychainRewrapped: false };
}

async function unlockWithRecovery(o: UnlockOptions, kf: KeyFile, typed: string): Promise<UnlockedKey> {
  const rk = parseRecoveryKey(typed);
  const rw = findWrap(kf, 'recovery') as RecoveryWrap | undefined;
  if (!rw) throw new AppError('DB_KEY_UNAVAILABLE', 'This store has no recovery key wrap.');
  const dataKey = await unwrapWithRecoveryKey(rw, kf.storeId, rk);
  if (!dataKey) throw new AppError('RECOVERY_KEY_INVALID', 'This recovery key does not open this store.');
  let keychainRewrapped = false;
  if (o.keyStore && o.rewrapKeychain !== false) {
    keychainRewrapped = await restoreKeychainWrap(o.keyFilePath, o.keyStore, kf, dataKey).catch(() => false);
  }
  return { storeId: kf.storeId, dataKey, via: 'recovery', keychainRewrapped };
}

/** Best effort: when this machine's keychain cannot open the store, store a new secret there and rewrap. */
async function restoreKeychainWrap(keyFilePath: string, keyStore: KeyStore, kf: KeyFile, dataKey: Buffer): Promise<boolean> {
  const account = keychainAccount(kf.storeId);
  const old = findWrap(kf, 'keychain') as KeychainWrap | undefined;
  const existing = await keyStore.get(account);
  if (existing !== null && old && unwrapWithKeychainSecret(old, kf.storeId, Buffer.from(existing, 'base64'))) return false;
  const secret = randomBytes(32);
  // set() refuses on a locked keychain, so a merely locked keychain is never overwritten here.
  await keyStore.set(account, secret.toString('base64'));
  const wraps = [wrapWithKeychainSecret(dataKey, kf.storeId, KEYCHAIN_SERVICE, secret), ...kf.wraps.filter((w) => w.type !== 'keychain')];
  await writeKeyFile(keyFilePath, { ...kf, wraps });
  return true;
}
