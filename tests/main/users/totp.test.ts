// TOTP against RFC 6238 Appendix B (8 digits, 30 s steps, the seed for each hash at its own length: 20 bytes
// for SHA-1, 32 for SHA-256, 64 for SHA-512), including T = 20000000000 (after 2038: a 64-bit time), with a
// fixed clock; then the ±1 step window the login accepts, and nothing wider.
import { describe, expect, it } from 'vitest';
import { matchTotp, totpCode, totpStep, type TotpAlgorithm } from '../../../src-main/services/users/totp';
import { newRecoveryCodes, recoveryCodeHash } from '../../../src-main/services/users/recoveryCodes';

const SEEDS: Record<TotpAlgorithm, Buffer> = {
  SHA1: Buffer.from('12345678901234567890', 'ascii'),
  SHA256: Buffer.from('12345678901234567890123456789012', 'ascii'),
  SHA512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234', 'ascii'),
};

// RFC 6238 Appendix B: time (s) -> [SHA1, SHA256, SHA512].
const VECTORS: [number, string, string, string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

describe('TOTP (RFC 6238)', () => {
  it('matches every Appendix B vector for SHA-1, SHA-256 and SHA-512', () => {
    expect(SEEDS.SHA1.length).toBe(20);
    expect(SEEDS.SHA256.length).toBe(32);
    expect(SEEDS.SHA512.length).toBe(64);
    for (const [t, ...codes] of VECTORS) {
      (['SHA1', 'SHA256', 'SHA512'] as const).forEach((algorithm, i) => {
        expect(totpCode({ secret: SEEDS[algorithm], algorithm, digits: 8 }, t * 1000), `${algorithm} at T=${t}`).toBe(codes[i]);
      });
    }
    // The last row's counter (0x27BC86AA) needs more than 32 bits of time in seconds.
    expect(totpStep(20000000000 * 1000)).toBe(0x27bc86aa);
  });

  it('accepts the code of the step before or after now, names the step, and refuses two steps away', () => {
    const spec = { secret: SEEDS.SHA1 };
    const now = 1234567890 * 1000;
    const step = totpStep(now);
    expect(matchTotp(spec, totpCode(spec, now), now)).toBe(step);
    expect(matchTotp(spec, totpCode(spec, now - 30_000), now)).toBe(step - 1);
    expect(matchTotp(spec, totpCode(spec, now + 30_000), now)).toBe(step + 1);
    expect(matchTotp(spec, totpCode(spec, now - 60_000), now)).toBeNull();
    expect(matchTotp(spec, totpCode(spec, now + 60_000), now)).toBeNull();
    expect(matchTotp({ secret: Buffer.alloc(20, 7) }, totpCode(spec, now), now)).toBeNull();
  });

  it('recovery codes are distinct, match the contract shape, and hash the same however they are typed', () => {
    const codes = newRecoveryCodes();
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const c = codes[0]!;
    expect(recoveryCodeHash(c.toLowerCase().replace(/-/g, ' ')).equals(recoveryCodeHash(c))).toBe(true);
    expect(recoveryCodeHash(codes[1]!).equals(recoveryCodeHash(c))).toBe(false);
  });
});
