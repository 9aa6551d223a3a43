// The latest checkpoint, kept OUTSIDE the database: a file beside it (audit-checkpoint.txt) and, when the signing
// key is in the keychain, the keychain too. Restoring an older copy of enclave.db, or cutting its tail, leaves
// these newer than the chain, and verification says so. Restoring the whole folder (file included) is caught by
// the keychain copy only; with no keychain that case needs the forwarded copy (syslog) to be noticed.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { KeyStore } from '../keys/keyStore';
import { writeFileAtomic } from '../store/atomicFile';
import type { AuditSigningKey } from './auditSigningKey';

export const AUDIT_CHECKPOINT_FILE = 'audit-checkpoint.txt';

export interface AnchoredNote {
  source: 'file' | 'keychain';
  note: string;
}

export class CheckpointAnchor {
  private readonly file: string;
  private readonly account: string;

  constructor(
    dataDir: string,
    key: AuditSigningKey,
    private readonly keyStore: KeyStore | null,
  ) {
    this.file = path.join(dataDir, AUDIT_CHECKPOINT_FILE);
    // The keychain copy only where the key itself is kept there: a file-key store has no keychain to trust.
    this.account = `audit-checkpoint:${key.origin}`;
    if (key.where !== 'keychain') this.keyStore = null;
  }

  /** Every copy found (none on a store that never wrote a checkpoint). */
  async read(): Promise<AnchoredNote[]> {
    const out: AnchoredNote[] = [];
    const text = await fsp.readFile(this.file, 'utf8').catch(() => null);
    if (text !== null) out.push({ source: 'file', note: text.slice(0, 8192) });
    if (this.keyStore) {
      const k = await this.keyStore.get(this.account).catch(() => null);
      if (k) out.push({ source: 'keychain', note: k });
    }
    return out;
  }

  async write(note: string): Promise<void> {
    await writeFileAtomic(this.file, Buffer.from(note, 'utf8'));
    if (this.keyStore) await this.keyStore.set(this.account, note).catch(() => undefined);
  }
}
