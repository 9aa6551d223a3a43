// Passwords become keys, never stored hashes: argon2id's raw 32-byte output is the key that wraps the data key
// (keys/keyFile.ts), so a correct password is one that unwraps it. Parameters measured on the build machine:
// m = 64 MiB, t = 3, p = 1 takes about 0.2 s (OWASP's minimum is m = 19 MiB, t = 2; ASVS asks under ~0.5 s).
import { randomBytes } from 'node:crypto';
import { hashRaw } from '@node-rs/argon2';
import { AppError } from '../../../src-shared/errors';
import type { Argon2Params } from '../keys/keyFile';

export interface PasswordKdfCost {
  /** Memory in KiB. */
  m: number;
  t: number;
  p: number;
}

export const PASSWORD_KDF_PRODUCTION: PasswordKdfCost = { m: 64 * 1024, t: 3, p: 1 };

/** ASVS 2.1.1/2.1.2: at least 12 characters, at most 128; never truncated (counted in code points). */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

// @node-rs/argon2's Algorithm is an ambient const enum (not usable under isolatedModules): Argon2id = 2.
const ARGON2ID = 2 as const;

export function checkPasswordLength(password: string): void {
  const n = [...password].length;
  if (n < PASSWORD_MIN || n > PASSWORD_MAX) {
    throw new AppError('INVALID_REQUEST', `A password has ${PASSWORD_MIN} to ${PASSWORD_MAX} characters.`);
  }
}

export function newKdfParams(cost: PasswordKdfCost = PASSWORD_KDF_PRODUCTION): Argon2Params {
  return { name: 'argon2id', salt: randomBytes(16).toString('base64'), m: cost.m, t: cost.t, p: cost.p };
}

/** The 32-byte key a password gives under `params` (the whole password, UTF-8, no normalisation or truncation). */
export async function passwordKey(password: string, params: Argon2Params): Promise<Buffer> {
  return hashRaw(Buffer.from(password, 'utf8'), {
    algorithm: ARGON2ID as never,
    memoryCost: params.m,
    timeCost: params.t,
    parallelism: params.p,
    outputLen: 32,
    salt: Buffer.from(params.salt, 'base64'),
  });
}
