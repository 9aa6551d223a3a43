// A decode worker thread: decrypted instance bytes arrive in memory (never via files) and leave as
// modality values; main's DecodePool runs several of these.
import { parentPort } from 'node:worker_threads';
import { runDecodeWorker } from '../series/decodeWorkerMain';

if (parentPort) runDecodeWorker(parentPort);
