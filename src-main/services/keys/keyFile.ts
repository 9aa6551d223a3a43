// keys.json: the data key, wrapped several ways, never in the clear. Each wrap is AES-256-GCM under a
// key derived from one secret (keychain secret, recovery key, later a user's password), with the store
// id and wrap type as associated data so wraps cannot be swapped between stores or types.
import { randomBytes, scrypt as scryptCb, type ScryptOptions } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { z } from 'zod';
import { AppError } from '../../../src-shared/errors';
import { writeFileAtomic } from '../store/atomicFile';
import { seal, unseal, type Sealed } from './aesGcm';
import { hkdf32 } from './keyDerivation';

const b64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/).max(4096);

const sealedShape = { iv: b64, ct: b64, tag: b64 };

const keychainWrap = z.object({ type: z.literal('keychain'), service: z.string().max(200), account: z.string().max(200), ...sealedShape });
const scryptParams = z.object({
  name: z.literal('scrypt'),
  salt: b64,
  N: z.number().int().min(1024).max(2 ** 20),
  r: z.number().int().min(1).max(32),
  p: z.number().int().min(1).max(16),
});
const recoveryWrap = z.object({ type: z.literal('recovery'), kdf: scryptParams, ...sealedShape });
// One wrap per user account, under the raw argon2id output of the user's password (users/passwordKdf.ts).
// `name` is a hash of the lowercased user name (the login form's lookup, before the store opens: the user table
// is inside it). `lockout` and `disabled` sit outside the AEAD because they change without the data key; a
// person who edits them still needs the password to unwrap anything.
const argon2Params = z.object({
  name: z.literal('argon2id'),
  salt: b64,
  m: z.number().int().min(1024).max(4 * 1024 * 1024),
  t: z.number().int().min(1).max(64),
  p: z.number().int().min(1).max(16),
});
const lockoutState = z.object({
  failures: z.number().int().min(0).max(1_000_000),
  /** How many times the account has been locked since its last successful login (the backoff doubles each time). */
  lockouts: z.number().int().min(0).max(1000),
  lockedUntil: z.number().int().min(0).nullable(),
});
const passwordWrap = z.object({
  type: z.literal('password'),
  user: z.string().regex(/^u-[0-9a-f]{32}$/),
  name: z.string().regex(/^[0-9a-f]{64}$/),
  kdf: argon2Params,
  lockout: lockoutState,
  disabled: z.boolean(),
  ...sealedShape,
});

const keyFileSchema = z.object({
  format: z.literal('enclave-keys'),
  version: z.literal(1),
  storeId: z.string().regex(/^[0-9a-f]{32}$/),
  wraps: z.array(z.discriminatedUnion('type', [keychainWrap, recoveryWrap, passwordWrap])).max(1000),
  /**
   * Account events from before the store could be opened (failed logins, a lockout), waiting for the encrypted audit
   * trail: users/userWraps.ts appends them, the next opening writes them to the trail and removes them. They hold
   * opaque user ids and machine words only; the trail re-checks each one (auditEventProblem) when it is written.
   */
  pendingAudit: z.array(z.object({ at: z.number().int().min(0), event: z.record(z.string(), z.unknown()) })).max(500).optional(),
  /** Events not kept because pendingAudit was full. */
  pendingDropped: z.number().int().min(0).optional(),
});

export type KeyFile = z.infer<typeof keyFileSchema>;
export type KeychainWrap = z.infer<typeof keychainWrap>;
export type RecoveryWrap = z.infer<typeof recoveryWrap>;
export type PasswordWrap = z.infer<typeof passwordWrap>;
export type Argon2Params = z.infer<typeof argon2Params>;
export type LockoutState = z.infer<typeof lockoutState>;
export type KeyWrap = KeyFile['wraps'][number];

export const SCRYPT_DEFAULTS = { N: 2 ** 15, r: 8, p: 1 } as const;

function scrypt(secret: Buffer, salt: Buffer, o: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { N: o.N, r: o.r, p: o.p, maxmem: 256 * o.N * o.r + 1024 * 1024 };
  return new Promise((resolve, reject) => scryptCb(secret, salt, 32, options, (e, k) => (e ? reject(e) : resolve(k))));
}

function aad(storeId: string, type: string): Buffer {
  return Buffer.from(`enclave-keys/v1|${storeId}|${type}`, 'utf8');
}

function enc(s: Sealed): { iv: string; ct: string; tag: string } {
  return { iv: s.iv.toString('base64'), ct: s.ct.toString('base64'), tag: s.tag.toString('base64') };
}

function dec(w: { iv: string; ct: string; tag: string }): Sealed {
  return { iv: Buffer.from(w.iv, 'base64'), ct: Buffer.from(w.ct, 'base64'), tag: Buffer.from(w.tag, 'base64') };
}

export function newStoreId(): string {
  return randomBytes(16).toString('hex');
}

export function keychainAccount(storeId: string): string {
  return `store-${storeId}`;
}

function keychainWrapKey(secret: Buffer, storeId: string): Buffer {
  return hkdf32(secret, Buffer.from(storeId, 'hex'), 'enclave/v1/keychain-wrap');
}

export function wrapWithKeychainSecret(dataKey: Buffer, storeId: string, service: string, secret: Buffer): KeychainWrap {
  const s = seal(keychainWrapKey(secret, storeId), dataKey, aad(storeId, 'keychain'));
  return { type: 'keychain', service, account: keychainAccount(storeId), ...enc(s) };
}

export function unwrapWithKeychainSecret(w: KeychainWrap, storeId: string, secret: Buffer): Buffer | null {
  return unseal(keychainWrapKey(secret, storeId), dec(w), aad(storeId, 'keychain'));
}

export async function wrapWithRecoveryKey(dataKey: Buffer, storeId: string, recoveryKey: Buffer): Promise<RecoveryWrap> {
  const salt = randomBytes(16);
  const k = await scrypt(recoveryKey, salt, SCRYPT_DEFAULTS);
  const s = seal(k, dataKey, aad(storeId, 'recovery'));
  return { type: 'recovery', kdf: { name: 'scrypt', salt: salt.toString('base64'), ...SCRYPT_DEFAULTS }, ...enc(s) };
}

export async function unwrapWithRecoveryKey(w: RecoveryWrap, storeId: string, recoveryKey: Buffer): Promise<Buffer | null> {
  const k = await scrypt(recoveryKey, Buffer.from(w.kdf.salt, 'base64'), w.kdf);
  return unseal(k, dec(w), aad(storeId, 'recovery'));
}

function passwordAad(storeId: string, userId: string): Buffer {
  return aad(storeId, `password|${userId}`);
}

/** `passwordKey`: the 32-byte argon2id output for this wrap's kdf. The AAD binds the store and the user. */
export function wrapWithPasswordKey(
  dataKey: Buffer,
  storeId: string,
  w: Pick<PasswordWrap, 'user' | 'name' | 'kdf'>,
  passwordKey: Buffer,
): PasswordWrap {
  const s = seal(passwordKey, dataKey, passwordAad(storeId, w.user));
  return { type: 'password', user: w.user, name: w.name, kdf: w.kdf, lockout: { failures: 0, lockouts: 0, lockedUntil: null }, disabled: false, ...enc(s) };
}

export function unwrapWithPasswordKey(w: PasswordWrap, storeId: string, passwordKey: Buffer): Buffer | null {
  return unseal(passwordKey, dec(w), passwordAad(storeId, w.user));
}

/** The parsed key file, or null when there is none. A damaged file is DB_KEY_UNAVAILABLE, never "start over". */
export async function readKeyFile(path: string): Promise<KeyFile | null> {
  let text: string;
  try {
    const st = await fsp.stat(path);
    if (st.size > 1024 * 1024) throw new AppError('DB_KEY_UNAVAILABLE', 'The key file is damaged (too large). Restore keys.json from a backup.');
    text = await fsp.readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if (e instanceof AppError) throw e;
    throw new AppError('DB_KEY_UNAVAILABLE', 'The key file cannot be read.', { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new AppError('DB_KEY_UNAVAILABLE', 'The key file is damaged (not JSON). Restore keys.json from a backup.', { cause: e });
  }
  const parsed = keyFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new AppError('DB_KEY_UNAVAILABLE', 'The key file is damaged or from another program. Restore keys.json from a backup.');
  }
  return parsed.data;
}

export async function writeKeyFile(path: string, kf: KeyFile): Promise<void> {
  await writeFileAtomic(path, Buffer.from(JSON.stringify(kf, null, 2) + '\n', 'utf8'), 0o600);
}
