// TOTP (RFC 6238) over otpauth: enrolment secrets, codes, and a check that tells which time step matched so the
// caller can refuse a second use of the same step. Authenticator apps expect SHA-1, 6 digits, 30 s: that is
// what users get; the other algorithms are here for the RFC's test vectors.
import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

export type TotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

export interface TotpSpec {
  secret: Buffer;
  algorithm?: TotpAlgorithm;
  digits?: number;
  period?: number;
}

export const TOTP_ISSUER = 'Enclave';
const PERIOD = 30;
/** Steps accepted either side of now (clock drift between the phone and this machine). */
export const TOTP_WINDOW = 1;

function totp(s: TotpSpec, label = 'user'): TOTP {
  return new TOTP({
    issuer: TOTP_ISSUER,
    label,
    algorithm: s.algorithm ?? 'SHA1',
    digits: s.digits ?? 6,
    period: s.period ?? PERIOD,
    secret: new Secret({ buffer: Uint8Array.from(s.secret).buffer }),
  });
}

/** 160 random bits (RFC 4226's recommended secret length for SHA-1). */
export function newTotpSecret(): Buffer {
  return randomBytes(20);
}

export function totpCode(s: TotpSpec, timeMs: number): string {
  return totp(s).generate({ timestamp: timeMs });
}

export function totpStep(timeMs: number, period = PERIOD): number {
  return Math.floor(timeMs / 1000 / period);
}

/** The time step the code belongs to (within ±TOTP_WINDOW of now), or null. */
export function matchTotp(s: TotpSpec, code: string, timeMs: number): number | null {
  const delta = totp(s).validate({ token: code, timestamp: timeMs, window: TOTP_WINDOW });
  return delta === null ? null : totpStep(timeMs, s.period ?? PERIOD) + delta;
}

export function totpBase32(secret: Buffer): string {
  return new Secret({ buffer: Uint8Array.from(secret).buffer }).base32;
}

/** otpauth://totp/Enclave:<username>?secret=...&issuer=Enclave&algorithm=SHA1&digits=6&period=30 */
export function totpUri(secret: Buffer, username: string): string {
  return totp({ secret }, username).toString();
}
