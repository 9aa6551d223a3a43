// The import worker thread: reading, hashing, parsing and (in 'store' mode) encrypting and committing
// happen here, so the window stays responsive and a large CD does not stall main.
import { parentPort, workerData } from 'node:worker_threads';
import { runImportWorker } from '../import/workerMain';
import type { WorkerInput } from '../import/workerProtocol';

if (parentPort) void runImportWorker(parentPort, workerData as WorkerInput);
