// A blob writer thread: encrypts (AES-256-GCM) and durably writes an import's instance files, so the import's
// own thread goes on reading, hashing, parsing and committing rows while the batch before is sealed and
// fsynced: the two halves of an import then run on two cores (store/blobWriterThread.ts is its other end).
import { parentPort, workerData } from 'node:worker_threads';
import { BlobVault } from '../store/blobVault';

export interface BlobWriteInput {
  blobsDir: string;
  tmpDir: string;
  masterKey: Uint8Array;
}

export interface BlobWriteRequest {
  id: number;
  items: { name: string; salt: Uint8Array; bytes: Uint8Array }[];
}

/** No file name or path in a failure: the message is the file system's code (ENOSPC, EACCES...). */
export type BlobWriteReply = { id: number; ok: true } | { id: number; ok: false; code: string };

if (parentPort) {
  const port = parentPort;
  const input = workerData as BlobWriteInput;
  const vault = new BlobVault(input.blobsDir, input.tmpDir, Buffer.from(input.masterKey));
  port.on('message', (req: BlobWriteRequest) => {
    const items = req.items.map((it) => ({ ref: { name: it.name, salt: Buffer.from(it.salt) }, bytes: it.bytes }));
    vault.writeMany(items).then(
      () => port.postMessage({ id: req.id, ok: true } satisfies BlobWriteReply),
      (e: unknown) => port.postMessage({ id: req.id, ok: false, code: (e as NodeJS.ErrnoException)?.code ?? 'EIO' } satisfies BlobWriteReply),
    );
  });
}
