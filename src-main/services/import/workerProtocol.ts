// Messages between main and the import worker. Keys travel only inside the process (workerData is a
// structured clone in memory); nothing in these messages is ever logged.
import type { ErrorInfo } from '../../../src-shared/errors';
import type { ImportProgress } from '../../../src-shared/ipc/contract';
import type { AddResult } from '../store/studyStore';
import type { ImportReport, InstanceToStore } from './importTypes';

export type WorkerTarget =
  /** The worker opens its own connection to the encrypted store and writes there. */
  | { kind: 'store'; dataDir: string; dataKey: Uint8Array; user?: string }
  /** The worker sends parsed instances back; main puts them in its StudyStore (quick view, memory store). */
  | { kind: 'post' };

export interface WorkerInput {
  paths: string[];
  target: WorkerTarget;
  batchFiles?: number;
  batchBytes?: number;
  progressIntervalMs?: number;
  batchesInFlight?: number;
  /** This worker's own script: in 'store' mode it starts a second worker (reading, hashing, parsing) with it. */
  workerScript?: string;
}

export type FromWorker =
  | { type: 'progress'; progress: ImportProgress }
  | { type: 'batch'; id: number; items: InstanceToStore[] }
  | { type: 'done'; report: ImportReport }
  | { type: 'error'; error: ErrorInfo };

export type ToWorker =
  /** 'post' mode: main's sink has begun; its job id is the one progress events carry. */
  | { type: 'begin'; jobId: string }
  | { type: 'cancel' } | { type: 'batchResult'; id: number; results: AddResult[] } | { type: 'batchError'; id: number; error: ErrorInfo };
