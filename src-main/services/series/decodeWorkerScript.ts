// Where the bundled decode worker lives: beside the running bundle (dist/main, or dist/cli -> dist/main).
// Null when running from source (tests, tsx): callers then decode on their own thread, as before.
import { findBundledWorker } from '../workers/workerScript';

export function bundledDecodeWorkerScript(): string | null {
  return findBundledWorker('decodeWorker', 'ENCLAVE_DECODE_WORKER');
}
