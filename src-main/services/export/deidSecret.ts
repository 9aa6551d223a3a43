// The per-installation de-identification secret: 32 random bytes in a file only the user can read.
// Re-exports map UIDs and dates the same way as long as this file is kept.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../src-shared/errors';

export function loadOrCreateDeidSecret(file: string): Uint8Array {
  try {
    const b = fs.readFileSync(file);
    if (b.length !== 32) throw new AppError('EXPORT_FAILED', 'de-identification secret file is damaged');
    return new Uint8Array(b);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e instanceof AppError ? e : new AppError('EXPORT_FAILED', 'cannot read the de-identification secret', { cause: e });
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const secret = randomBytes(32);
  fs.writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
  return new Uint8Array(secret);
}
