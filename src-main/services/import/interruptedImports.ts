// Imports that were killed or crashed leave their job 'running'. Resuming is running the same sources
// again: what was committed is recognised as duplicates (same UID, same SHA-256), the rest is added,
// and the completed run closes the interrupted job (EncryptedStoreSink.finish).
import type { EncryptedStudyStore } from '../store/encryptedStudyStore';

/** The source paths of every interrupted import, each once, in the order the jobs started. */
export function interruptedImportSources(store: EncryptedStudyStore): string[] {
  const out: string[] = [];
  for (const job of store.listImportJobs('running')) {
    const paths = (job.source as { paths?: unknown } | null)?.paths;
    if (!Array.isArray(paths)) continue;
    for (const p of paths) if (typeof p === 'string' && !out.includes(p)) out.push(p);
  }
  return out;
}
