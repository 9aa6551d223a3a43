// AES-256-GCM with a random 96-bit IV, for small secrets (key wraps). Bulk data uses blobCipher.ts.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface Sealed {
  iv: Buffer;
  ct: Buffer;
  tag: Buffer;
}

export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Sealed {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(aad);
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  return { iv, ct, tag: c.getAuthTag() };
}

/** The plaintext, or null when the key is wrong or anything was altered. */
export function unseal(key: Buffer, s: Sealed, aad: Buffer): Buffer | null {
  if (s.iv.length !== 12 || s.tag.length !== 16) return null;
  try {
    const d = createDecipheriv('aes-256-gcm', key, s.iv);
    d.setAAD(aad);
    d.setAuthTag(s.tag);
    return Buffer.concat([d.update(s.ct), d.final()]);
  } catch {
    return null;
  }
}
