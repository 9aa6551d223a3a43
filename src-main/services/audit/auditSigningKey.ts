// The Ed25519 key that signs audit checkpoints. Where the private key lives decides what it protects against:
// - keychain (the app on a desktop): the OS keychain holds it, apart from the data key's wraps. Someone who has
//   only the data key (a copied recovery key, a stolen disk image) cannot sign a checkpoint, so cannot hide an
//   edit, a deleted entry or an older database behind a fresh one.
// - file (no keychain, e.g. headless Linux or a recovery-key-only store): audit-key.json holds it sealed with
//   AES-256-GCM under a key derived from the data key. Signatures then prove only that someone with the data
//   key signed; the checkpoint kept outside the database still catches a restored or truncated database.
// audit-key.json always holds the public key (what verification uses) and says which of the two it is.
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AppError, isAppError } from '../../../src-shared/errors';
import { seal, unseal } from '../keys/aesGcm';
import { hkdf32 } from '../keys/keyDerivation';
import type { KeyStore } from '../keys/keyStore';
import { writeFileAtomic } from '../store/atomicFile';
import { originOf, rawPublicKey } from './auditCheckpoint';

export const AUDIT_KEY_FILE = 'audit-key.json';

const b64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/).max(4096);
const keyFileSchema = z.discriminatedUnion('where', [
  z.object({ format: z.literal('enclave-audit-key'), version: z.literal(1), where: z.literal('keychain'), publicKey: b64, account: z.string().max(200) }),
  z.object({ format: z.literal('enclave-audit-key'), version: z.literal(1), where: z.literal('file'), publicKey: b64, iv: b64, ct: b64, tag: b64 }),
]);

export interface AuditSigningKey {
  /** Raw 32-byte Ed25519 public key. */
  publicKey: Buffer;
  origin: string;
  /** null when the key is in a keychain this process cannot reach: verification works, signing does not. */
  privateKey: KeyObject | null;
  where: 'keychain' | 'file';
}

function wrapKey(dataKey: Buffer): Buffer {
  return hkdf32(dataKey, Buffer.alloc(0), 'enclave/v1/audit-signing-key-wrap');
}

function aad(publicKey: Buffer): Buffer {
  return Buffer.concat([Buffer.from('enclave-audit-key/v1|', 'utf8'), publicKey]);
}

function pkcs8(k: KeyObject): Buffer {
  return k.export({ format: 'der', type: 'pkcs8' });
}

function fromPkcs8(der: Buffer): KeyObject {
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

/** Loads the trail's signing key, making it on first use (keychain when one is given and works, else the file). */
export async function loadAuditSigningKey(o: { dataDir: string; dataKey: Buffer; keyStore: KeyStore | null }): Promise<AuditSigningKey> {
  const file = path.join(o.dataDir, AUDIT_KEY_FILE);
  const text = await fsp.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw new AppError('INTERNAL', 'The audit key file cannot be read.', { cause: e });
  });
  if (text === null) return createAuditSigningKey(file, o);
  let kf: z.infer<typeof keyFileSchema>;
  try {
    kf = keyFileSchema.parse(JSON.parse(text));
  } catch (e) {
    throw new AppError('DB_CORRUPT', 'The audit key file (audit-key.json) is damaged. Restore it from a backup.', { cause: e });
  }
  const publicKey = Buffer.from(kf.publicKey, 'base64');
  const origin = originOf(publicKey);
  if (kf.where === 'file') {
    const der = unseal(wrapKey(o.dataKey), { iv: Buffer.from(kf.iv, 'base64'), ct: Buffer.from(kf.ct, 'base64'), tag: Buffer.from(kf.tag, 'base64') }, aad(publicKey));
    if (!der) throw new AppError('DB_CORRUPT', 'The audit signing key does not open with this store’s key (audit-key.json was replaced or damaged).');
    return { publicKey, origin, privateKey: fromPkcs8(der), where: 'file' };
  }
  let secret: string | null = null;
  if (o.keyStore) secret = await o.keyStore.get(kf.account).catch(() => null);
  if (!secret) return { publicKey, origin, privateKey: null, where: 'keychain' };
  const privateKey = fromPkcs8(Buffer.from(secret, 'base64'));
  // The keychain is the anchor: a public key in the file that is not the keychain key's is a swapped file.
  if (!rawPublicKey(privateKey).equals(publicKey)) throw new AppError('DB_CORRUPT', 'audit-key.json does not match the audit signing key in the keychain.');
  return { publicKey, origin, privateKey, where: 'keychain' };
}

async function createAuditSigningKey(file: string, o: { dataKey: Buffer; keyStore: KeyStore | null }): Promise<AuditSigningKey> {
  const { privateKey } = generateKeyPairSync('ed25519');
  const publicKey = rawPublicKey(privateKey);
  const origin = originOf(publicKey);
  const base = { format: 'enclave-audit-key', version: 1, publicKey: publicKey.toString('base64') } as const;
  if (o.keyStore) {
    const account = `audit-signing:${origin}`;
    try {
      await o.keyStore.set(account, pkcs8(privateKey).toString('base64'));
      await writeFileAtomic(file, Buffer.from(JSON.stringify({ ...base, where: 'keychain', account }), 'utf8'));
      return { publicKey, origin, privateKey, where: 'keychain' };
    } catch (e) {
      if (!(isAppError(e) && (e.code === 'KEYCHAIN_UNAVAILABLE' || e.code === 'KEYCHAIN_LOCKED'))) throw e;
    }
  }
  const s = seal(wrapKey(o.dataKey), pkcs8(privateKey), aad(publicKey));
  const kf = { ...base, where: 'file', iv: s.iv.toString('base64'), ct: s.ct.toString('base64'), tag: s.tag.toString('base64') };
  await writeFileAtomic(file, Buffer.from(JSON.stringify(kf), 'utf8'));
  return { publicKey, origin, privateKey, where: 'file' };
}
