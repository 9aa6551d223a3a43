// KeyStore over keytar (macOS Keychain, Windows Credential Manager, Linux Secret Service).
// keytar is loaded lazily so a machine without libsecret can still start and take the recovery path.
// Never call keytar.findCredentials: it crashes the process on a locked Linux keyring.
import { AppError } from '../../../src-shared/errors';
import type { KeyStore } from './keyStore';

export const KEYCHAIN_SERVICE = 'Enclave';

interface KeytarApi {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

let keytarPromise: Promise<KeytarApi> | null = null;

function loadKeytar(): Promise<KeytarApi> {
  keytarPromise ??= import('keytar').then(
    (m) => ((m as { default?: KeytarApi }).default ?? (m as unknown as KeytarApi)),
    (e: unknown) => {
      keytarPromise = null;
      throw new AppError('KEYCHAIN_UNAVAILABLE', 'The keychain module could not be loaded on this system.', { cause: e });
    },
  );
  return keytarPromise;
}

function unavailable(e: unknown): AppError {
  return new AppError(
    'KEYCHAIN_UNAVAILABLE',
    'No system keychain is reachable (on Linux: no Secret Service such as gnome-keyring). Open the store with the recovery key instead.',
    { cause: e },
  );
}

export class KeytarKeyStore implements KeyStore {
  constructor(private readonly service: string = KEYCHAIN_SERVICE) {}

  async get(account: string): Promise<string | null> {
    const k = await loadKeytar();
    try {
      return await k.getPassword(this.service, account);
    } catch (e) {
      throw unavailable(e);
    }
  }

  async set(account: string, secret: string): Promise<void> {
    const k = await loadKeytar();
    try {
      await k.setPassword(this.service, account, secret);
    } catch (e) {
      // keytar's errors carry no code; libsecret's wording is the only signal for a locked collection.
      if (e instanceof Error && /locked/i.test(e.message)) {
        throw new AppError('KEYCHAIN_LOCKED', 'The keychain is locked: unlock it (your login keyring) and try again.', { cause: e });
      }
      throw unavailable(e);
    }
  }

  async delete(account: string): Promise<boolean> {
    const k = await loadKeytar();
    try {
      return await k.deletePassword(this.service, account);
    } catch (e) {
      throw unavailable(e);
    }
  }
}
