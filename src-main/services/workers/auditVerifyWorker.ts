// A verifier thread: re-hashes one stretch of the audit chain over its own read-only connection, so a long trail
// is checked on every core (auditVerifier.ts splits it and joins the stretches).
import { parentPort, workerData } from 'node:worker_threads';
import { checkChainRange, type ChainRange } from '../audit/auditChainRange';
import { openDatabase } from '../db/database';

export interface AuditVerifyInput {
  file: string;
  key: Uint8Array;
  range: ChainRange;
}

if (parentPort) {
  const input = workerData as AuditVerifyInput;
  const db = openDatabase({ file: input.file, key: Buffer.from(input.key), create: false, readonly: true });
  try {
    const r = checkChainRange(db, { ...input.range, prev: Buffer.from(input.range.prev) });
    parentPort.postMessage(r);
  } finally {
    db.close();
  }
}
