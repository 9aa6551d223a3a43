// Main's side of an import: starts the worker thread, relays progress, forwards cancel, and (for an
// in-memory target) puts the worker's parsed instances into the StudyStore that lives in main.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { AppError, toAppError } from '../../../src-shared/errors';
import type { ImportProgress } from '../../../src-shared/ipc/contract';
import type { StudyStore } from '../store/studyStore';
import { StudyStoreSink } from './importSinks';
import type { ImportReport } from './importTypes';
import type { FromWorker, ToWorker, WorkerInput } from './workerProtocol';

export type ImportTarget =
  /** The encrypted store of `dataDir`, opened by the worker with the already unlocked data key. */
  | { kind: 'store'; dataDir: string; dataKey: Uint8Array; user?: string }
  /** A StudyStore in main (quick view's MemoryStudyStore): the worker only reads, hashes and parses. */
  | { kind: 'memory'; store: StudyStore };

export interface WorkerImportOptions {
  signal?: AbortSignal;
  onProgress?: (p: ImportProgress) => void;
  /** The worker bundle (dist/main/importWorker.cjs) or its .ts source (run through tsx). Default: resolveImportWorkerScript(). */
  workerScript?: string;
  batchFiles?: number;
  batchBytes?: number;
  progressIntervalMs?: number;
}

/** Finds the worker: beside the running bundle (dist/main, or dist/cli -> dist/main), else the source for tsx. */
export function resolveImportWorkerScript(): string {
  const fromEnv = process.env['ENCLAVE_IMPORT_WORKER'];
  if (fromEnv) return fromEnv;
  const dirs: string[] = [];
  if (typeof __dirname === 'string') dirs.push(__dirname);
  if (process.argv[1]) dirs.push(path.dirname(path.resolve(process.argv[1])));
  for (const d of dirs) {
    for (const c of [path.join(d, 'importWorker.cjs'), path.join(d, '..', 'main', 'importWorker.cjs')]) if (existsSync(c)) return c;
    for (const c of [path.join(d, '..', 'services', 'workers', 'importWorker.ts'), path.join(d, 'importWorker.ts')]) if (existsSync(c)) return c;
  }
  const src = path.resolve('src-main/services/workers/importWorker.ts');
  if (existsSync(src)) return src;
  throw new AppError('INTERNAL', 'The import worker is missing from this installation.');
}

export function runImportInWorker(paths: string[], target: ImportTarget, options: WorkerImportOptions = {}): Promise<ImportReport> {
  const script = options.workerScript ?? resolveImportWorkerScript();
  const input: WorkerInput = {
    paths,
    target: target.kind === 'store' ? { kind: 'store', dataDir: target.dataDir, dataKey: target.dataKey, ...(target.user ? { user: target.user } : {}) } : { kind: 'post' },
    ...(options.batchFiles ? { batchFiles: options.batchFiles } : {}),
    ...(options.batchBytes ? { batchBytes: options.batchBytes } : {}),
    ...(options.progressIntervalMs !== undefined ? { progressIntervalMs: options.progressIntervalMs } : {}),
  };
  const worker = new Worker(script, {
    workerData: input,
    execArgv: script.endsWith('.ts') ? ['--import', 'tsx'] : [],
  });
  const memorySink = target.kind === 'memory' ? new StudyStoreSink(target.store) : null;
  return new Promise<ImportReport>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      fn();
      void worker.terminate();
    };
    const onAbort = () => worker.postMessage({ type: 'cancel' } satisfies ToWorker);
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort);
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'progress') options.onProgress?.(m.progress);
      else if (m.type === 'done') finish(() => resolve(m.report));
      else if (m.type === 'error') finish(() => reject(new AppError(m.error.code, m.error.message)));
      else if (m.type === 'batch') {
        if (!memorySink) return;
        memorySink.add(m.items).then(
          (results) => worker.postMessage({ type: 'batchResult', id: m.id, results } satisfies ToWorker),
          (e: unknown) => worker.postMessage({ type: 'batchError', id: m.id, error: toAppError(e, 'IMPORT_FAILED').toInfo() } satisfies ToWorker),
        );
      }
    });
    worker.on('error', (e) => finish(() => reject(new AppError('IMPORT_FAILED', 'The import worker failed.', { cause: e }))));
    worker.on('exit', (code) => finish(() => reject(new AppError('IMPORT_FAILED', `The import worker stopped (${code}).`))));
  });
}
