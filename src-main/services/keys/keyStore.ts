// Where the secret that wraps the data key lives: the OS keychain in the app, anything in tests.
// Implementations throw AppError('KEYCHAIN_UNAVAILABLE') when there is no keychain at all and
// AppError('KEYCHAIN_LOCKED') when it refuses to store; a locked keychain's get() returns null.
export interface KeyStore {
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<boolean>;
}
