// Everything the chain needs beyond the database, for one data directory: the signing key and the checkpoint
// kept outside. The store's opener calls this once and hands the result to AuditService.attachTrail.
import type { KeyStore } from '../keys/keyStore';
import { CheckpointAnchor } from './auditAnchor';
import type { AuditTrailParts } from './auditService';
import { loadAuditSigningKey } from './auditSigningKey';
import type { ParallelVerify } from './auditVerifier';

export async function openAuditTrail(o: {
  dataDir: string;
  dataKey: Buffer;
  keyStore: KeyStore | null;
  checkpointEvery?: number;
  /** The database's file and key: verification then runs on several threads. */
  database?: ParallelVerify;
}): Promise<AuditTrailParts> {
  const key = await loadAuditSigningKey(o);
  return {
    key,
    anchor: new CheckpointAnchor(o.dataDir, key, o.keyStore),
    ...(o.checkpointEvery ? { checkpointEvery: o.checkpointEvery } : {}),
    ...(o.database ? { parallel: o.database } : {}),
  };
}
