// MFA recovery codes: ten single-use codes shown once at enrolment; only their SHA-256 is kept (the codes carry
// 60 random bits each, so a plain hash inside the encrypted store is enough). Typed codes are compared after
// folding case, dashes and spaces, and the letters people confuse.
import { createHash, randomInt } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const RECOVERY_CODE_COUNT = 10;

function normalise(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

/** XXXX-XXXX-XXXX (12 Crockford base32 characters, 60 bits). */
export function newRecoveryCodes(n = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: n }, () => {
    let s = '';
    for (let i = 0; i < 12; i++) s += ALPHABET[randomInt(32)];
    return s.match(/.{4}/g)!.join('-');
  });
}

export function recoveryCodeHash(code: string): Buffer {
  return createHash('sha256').update('enclave-mfa-recovery/v1|').update(normalise(code)).digest();
}
