// The recovery key: 256 random bits shown once, as 11 groups of 5 Crockford base32 characters
// (letters that are easy to misread are folded), with a 16-bit checksum so a typo is reported as a
// typo rather than as "wrong key".
import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../../../src-shared/errors';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const KEY_BYTES = 32;
const CHECK_BYTES = 2;
const CHARS = Math.ceil(((KEY_BYTES + CHECK_BYTES) * 8) / 5); // 55

export function generateRecoveryKeyBytes(): Buffer {
  return randomBytes(KEY_BYTES);
}

function checksum(key: Buffer): Buffer {
  return createHash('sha256').update('enclave-recovery-check').update(key).digest().subarray(0, CHECK_BYTES);
}

export function formatRecoveryKey(key: Buffer): string {
  if (key.length !== KEY_BYTES) throw new AppError('INTERNAL', 'Recovery key must be 32 bytes.');
  const bytes = Buffer.concat([key, checksum(key)]);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out.match(/.{1,5}/g)!.join('-');
}

function invalid(why: string): AppError {
  return new AppError('RECOVERY_KEY_INVALID', `This is not a valid recovery key (${why}). Check it for typos.`);
}

export function parseRecoveryKey(text: string): Buffer {
  const clean = text
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (clean.length !== CHARS) throw invalid(`expected ${CHARS} characters, got ${clean.length}`);
  const out = Buffer.alloc(KEY_BYTES + CHECK_BYTES);
  let bits = 0;
  let value = 0;
  let n = 0;
  for (const ch of clean) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) throw invalid('unexpected character');
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      if (n < out.length) out[n++] = (value >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
    value &= (1 << bits) - 1;
  }
  if (n !== out.length || value !== 0) throw invalid('bad length');
  const key = out.subarray(0, KEY_BYTES);
  if (!checksum(key).equals(out.subarray(KEY_BYTES))) throw invalid('checksum mismatch');
  return Buffer.from(key);
}
