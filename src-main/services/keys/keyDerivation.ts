// One random data key; every working key is derived from it with HKDF so each use has its own key
// (the database, the blob files, the opaque ids) and none of them is the data key itself.
import { hkdfSync } from 'node:crypto';

export type SubkeyPurpose = 'db' | 'blob' | 'id';

const INFO: Record<SubkeyPurpose, string> = {
  db: 'enclave/v1/sqlcipher-raw-key',
  blob: 'enclave/v1/blob-master-key',
  id: 'enclave/v1/opaque-id-key',
};

export function deriveSubkey(dataKey: Buffer, purpose: SubkeyPurpose): Buffer {
  return Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), INFO[purpose], 32));
}

export function hkdf32(secret: Buffer, salt: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, salt, info, 32));
}
