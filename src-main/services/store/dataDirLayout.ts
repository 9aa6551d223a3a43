// Where things live in a data directory. Nothing here is named after a patient, study or UID.
import { join } from 'node:path';

export interface DataDirLayout {
  root: string;
  dbFile: string;
  keyFile: string;
  blobsDir: string;
  tmpDir: string;
}

export function dataDirLayout(root: string): DataDirLayout {
  return {
    root,
    dbFile: join(root, 'enclave.db'),
    keyFile: join(root, 'keys.json'),
    blobsDir: join(root, 'blobs'),
    tmpDir: join(root, 'tmp'),
  };
}
