// Main's side of an import: starts the worker thread, relays progress, forwards cancel, and (for a
// store that lives in main) puts the worker's parsed batches into it: the encrypted store gets each
// batch in one transaction plus the job record and audit event; the in-memory store just keeps them.
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { AppError, toAppError } from '../../../src-shared/errors';
import type { ImportProgress } from '../../../src-shared/ipc/contract';
import type { StudyStore } from '../store/studyStore';
import { resolveWorkerScript, workerExecArgv } from '../workers/workerScript';
import { sinkFor } from './importSinks';
import type { ImportReport, ImportSink } from './importTypes';
import type { FromWorker, ToWorker, WorkerInput } from './workerProtocol';

export type ImportTarget =
  /** The encrypted store of `dataDir`, opened by the worker with the already unlocked data key. */
  | { kind: 'store'; dataDir: string; dataKey: Uint8Array; user?: string }
  /**
   * A StudyStore in main (quick view's MemoryStudyStore, or an open encrypted store): the worker reads, hashes
   * and parses. A promise may be given: the worker starts while the store is still opening.
   */
  | { kind: 'main'; store: StudyStore | Promise<StudyStore> };

export interface WorkerImportOptions {
  signal?: AbortSignal;
  onProgress?: (p: ImportProgress) => void;
  /** The worker bundle (dist/main/importWorker.cjs) or its .ts source (run through tsx). Default: resolveImportWorkerScript(). */
  workerScript?: string;
  batchFiles?: number;
  batchBytes?: number;
  progressIntervalMs?: number;
  batchesInFlight?: number;
}

/** Finds the import worker (ENCLAVE_IMPORT_WORKER overrides). */
export function resolveImportWorkerScript(): string {
  return resolveWorkerScript('importWorker', 'ENCLAVE_IMPORT_WORKER');
}

export async function runImportInWorker(paths: string[], target: ImportTarget, options: WorkerImportOptions = {}): Promise<ImportReport> {
  const script = path.resolve(options.workerScript ?? resolveImportWorkerScript());
  const input: WorkerInput = {
    paths,
    target: target.kind === 'store' ? { kind: 'store', dataDir: target.dataDir, dataKey: target.dataKey, ...(target.user ? { user: target.user } : {}) } : { kind: 'post' },
    ...(options.batchFiles ? { batchFiles: options.batchFiles } : {}),
    ...(options.batchBytes ? { batchBytes: options.batchBytes } : {}),
    ...(options.progressIntervalMs !== undefined ? { progressIntervalMs: options.progressIntervalMs } : {}),
    ...(options.batchesInFlight ? { batchesInFlight: options.batchesInFlight } : {}),
    // A 'store' worker starts a second one (the same script) to read and parse while it encrypts and commits.
    ...(target.kind === 'store' ? { workerScript: script } : {}),
  };
  const worker = new Worker(script, { workerData: input, execArgv: workerExecArgv(script) });
  let mainSink: ImportSink | null = null;
  let jobId = '';
  // Batches commit as they come (each in its own transaction; the worker bounds how many are outstanding);
  // the job is closed only after the last one.
  const commits = new Set<Promise<unknown>>();
  const outcomeP = new Promise<{ report: ImportReport } | { error: AppError }>((resolve) => {
    let settled = false;
    const finish = (r: { report: ImportReport } | { error: AppError }) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const onAbort = () => worker.postMessage({ type: 'cancel' } satisfies ToWorker);
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort);
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'progress') options.onProgress?.(m.progress);
      else if (m.type === 'done') finish({ report: m.report });
      else if (m.type === 'error') finish({ error: new AppError(m.error.code, m.error.message) });
      else if (m.type === 'batch' && mainSink) {
        const commit = mainSink.add(m.items);
        const settledCommit: Promise<unknown> = commit.catch(() => undefined).finally(() => commits.delete(settledCommit));
        commits.add(settledCommit);
        commit.then(
          (results) => worker.postMessage({ type: 'batchResult', id: m.id, results } satisfies ToWorker),
          (e: unknown) => worker.postMessage({ type: 'batchError', id: m.id, error: toAppError(e, 'IMPORT_FAILED').toInfo() } satisfies ToWorker),
        );
      }
    });
    worker.on('error', (e) => finish({ error: new AppError('IMPORT_FAILED', 'The import worker failed.', { cause: e }) }));
    worker.on('exit', (code) => finish({ error: new AppError('IMPORT_FAILED', `The import worker stopped (${code}).`) }));
  });
  if (target.kind === 'main') {
    try {
      mainSink = sinkFor(await target.store);
      jobId = await mainSink.begin({ paths });
    } catch (e) {
      await worker.terminate();
      throw e;
    }
    worker.postMessage({ type: 'begin', jobId } satisfies ToWorker);
  }
  const outcome = await outcomeP;
  await worker.terminate();
  await Promise.all([...commits]);
  if (mainSink) {
    if ('report' in outcome) await mainSink.finish(outcome.report, outcome.report.cancelled ? 'cancelled' : 'done');
    else {
      const empty = { jobId, filesSeen: 0, added: 0, duplicates: 0, conflicts: 0, skipped: [], studies: 0, cancelled: false, filesTotal: 0, bytesTotal: 0, bytesDone: 0, seconds: 0, missing: [], dicomdirs: [], conflictFiles: [], skippedFiles: [], notFound: [] };
      await mainSink.finish(empty, 'failed').catch(() => undefined);
    }
  }
  if ('error' in outcome) throw outcome.error;
  return outcome.report;
}
